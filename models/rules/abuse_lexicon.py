"""The Russian word lists behind the abuse check of written messages (W5).

W5: a message with obscenity, insults or threats is not considered on the merits, and the
client is told within 5 working days that such conduct is unacceptable. `abuse.find_abuse`
flags such messages for a person to review; this module only holds the data it reads, kept
apart so that the rules stay readable and the lists can be reviewed on their own.

The obscene roots are written as regular expressions over a word with its prefixes cut off
(see `OBSCENE_PREFIXES`), so that the common roots and their derivatives are caught without
spelling every form out, and the words that merely contain the same letters
(«застрахуйте», «употреблять», «хлеба», «бледный») are not. Insults are listed as the forms
whose Snowball stems cover their inflection; threats as first-person verbs and set phrases.
"""

from typing import Final


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Prefixes that Russian puts before the obscene roots, longest first. Before a root that
# begins with a vowel a prefix ending in a consonant takes «ъ» («съ-», «отъ-»): without it
# «себе» would read as «с-» and a root.
OBSCENE_PREFIXES: Final = (
    "недо",
    "пере",
    "в",
    "раз",
    "рас",
    "под",
    "при",
    "про",
    "без",
    "бес",
    "вы",
    "до",
    "за",
    "на",
    "об",
    "от",
    "по",
    "ни",
    "из",
    "с",
    "у",
    "о",
    "а",
)

# What a word must begin with, once its prefixes are cut off. The four standard roots first.
OBSCENE_ROOTS: Final = (
    r"ху[йяеиюё]",
    r"пи[зс]д",
    r"пезд",
    r"еб(?:[аеиоуыюя]|л|н|ш|$)",
    r"бля(?:[дт]|$)",
    r"блад[ьи]",  # «бл@дь»
    r"муд(?:ак|ил|озвон|ач)",
    r"пид(?:о|а)р",
    r"гандон",
    r"залуп",
    r"сук(?:а|и|е|у|ой|ою|ин|ам|ами|ах)$",
    r"сучк|сучар|сучь",
)

# Whole words that carry a root in the middle of them.
OBSCENE_WORDS: Final = (r"долбо[её]\w*",)

# The forms people write with letters hidden by asterisks («х*й», «бл**ь»): a masked word is
# compared with these, the asterisks standing for the hidden letters. A single letter before
# the asterisks must be one of `MASKED_INITIALS` («х**»), not a preposition in bold («**в**»).
OBSCENE_FORMS: Final = _words(
    "хуй хуя хуе хую хуи хуем хуев хуево хуйня хуйни хуйню нахуй нахуя похуй похер охуеть "
    "охуели охуел ахуеть нихуя дохуя "
    "пизда пизды пизде пизду пиздец пиздеть пиздит пиздят пиздеж спиздили спиздил "
    "распиздяй распиздяи "
    "ебать ебал ебала ебали ебаный ебанутый ебанутые ебу ебет ебло заебал заебали "
    "заебись уебок уебки уебище наебали наебал наебать выебон отъебись съебись проебали "
    "блядь блять бля блядство блядский "
    "мудак мудаки мудила сука суки сучка пидор пидоры пидарас пидорас гандон"
)

MASKED_INITIALS: Final = frozenset("хпб")

# Words that insult whoever they are said to, as written in the dictionary form and the forms
# whose stems differ (a fleeting vowel: «придурок» / «придурки»).
STRONG_INSULTS: Final = _words(
    "идиот идиоты идиотка идиотки "
    "дебил дебилы дебилов дебилка дебилки "
    "кретин кретины кретинка "
    "имбецил имбецилы "
    "дегенерат дегенераты "
    "олигофрен олигофрены "
    "урод уроды уродина уродины "
    "мразь мрази "
    "сволочь сволочи "
    "ублюдок ублюдки "
    "подонок подонки "
    "придурок придурки "
    "недоумок недоумки "
    "выродок выродки "
    "отморозок отморозки "
    "тварь твари "
    "гнида гниды "
    "падла падлы "
    "паскуда паскуды "
    "чмо "
    "быдло "
    "мерзавец мерзавцы "
    "негодяй негодяя негодяи "
    "ничтожество ничтожества "
    "шлюха шлюхи "
    "тупица тупицы "
    "дармоед дармоеды "
    "кровопийца кровопийцы"
)

# Words that share an insult's stem and mean something else («урожай уродился»).
NOT_INSULTS: Final = ("уродил",)

# Words that insult only when said to someone («вы тупые», «ваши чиновники — козлы»), since
# they also name animals, tools or things («козлы» for sawing, «фундамент осел»).
WEAK_INSULTS: Final = _words(
    "тупой тупая тупое тупые тупого тупых "
    "дурак дураки дура дуры "
    "козел козлы козлина "
    "скотина скотины "
    "свинья свиньи "
    "баран бараны "
    "осел ослы "
    "лох лохи "
    "бездарь бездари "
    "клоун клоуны "
    "бестолочь "
    "даун дауны"
)

# Words that make a weak insult one: the person it is said to.
ADDRESS_WORDS: Final = frozenset(
    _words(
        "ты тебя тебе тобой вы вас вам вами "
        "твой твоя твое твои твоего твоей твоих твоим твоими твоему твою "
        "ваш ваша ваше ваши вашего вашей ваших вашим вашими вашему вашу "
        "сам сама сами какой какая какие"
    )
)
# Stems of the staff a message may call names.
ADDRESS_STEMS: Final = (
    "чиновник",
    "сотрудник",
    "министр",
    "министерств",
    "специалист",
    "оператор",
    "консультант",
    "бюрократ",
    "начальник",
    "руководств",
    "руководител",
)

# Words that tell of what someone else said or did: «сосед назвал меня идиотом», «кричал:
# убью». A word of insult or threat a few words after one of these is reported, not meant.
REPORTING_STEMS: Final = (
    "назвал",
    "назыв",
    "обозвал",
    "обзыв",
    "угрож",
    "пригрозил",
    "грозил",
    "грозит",
    "кричал",
    "крикнул",
    "кричит",
    "сказал",
    "говорил",
    "говорит",
    "заявил",
    "пообещал",
    "обещал",
    "оскорб",
    "словами",
    "словом",
    "выражени",
    "фраз",
)

# First-person verbs that threaten life, health or property whatever follows them.
THREAT_VERBS: Final = _words(
    "убью убьем пристрелю пристрелим застрелю застрелим зарежу зарежем "
    "задушу задушим придушу придушим прикончу прикончим покалечу покалечим изобью изобьем "
    "порешу порешим"
)

# First-person verbs that threaten only with someone or something of the addressee's after
# them («прибью вас», «сожгу ваш офис»): alone they hang shelves and burn leaves.
THREAT_VERBS_WITH_OBJECT: Final = _words(
    "прибью прибьем сожгу сожжем подожгу подожжем взорву взорвем закопаю закопаем "
    "урою уроем уничтожу уничтожим замочу замочим грохну грохнем разнесу разнесем"
)
THREAT_OBJECTS: Final = frozenset(
    _words(
        "тебя вас всех вашу ваш ваше ваши ваших твою твой твое твоих "
        "министерство министерства офис контору здание кабинет"
    )
)

# Set phrases, as regular expressions over the message's words joined by single spaces.
THREAT_PHRASES: Final = (
    r"(?:вам|тебе) (?:всем )?(?:конец|крышка|хана|кранты|не жить)",
    r"(?<!не )(?:вы |ты )?(?:еще )?(?:пожалеете|пожалеешь)",
    r"кровью (?:умоетесь|умоешься|захлебнетесь|захлебнешься)",
    r"(?:ноги|руки|голову|голова|башку|бошку|шею) (?:вам |тебе )?"
    r"(?:переломаю|поломаю|оторву|сверну|снесу|отрежу|проломлю)",
    r"(?:переломаю|поломаю|оторву|сверну|снесу|отрежу|проломлю) (?:вам |тебе )?"
    r"(?:ноги|руки|голову|голова|башку|бошку|шею)",
    r"(?:заложу|подложу|принесу|подброшу) (?:вам |к вам )?бомбу",
    r"живым[иы]? не (?:уйдете|уйдешь)",
    r"(?:вы|ты) у меня (?:еще )?(?:попляшете|попляшешь|поплатитесь|поплатишься)",
    r"(?:поплатитесь|поплатишься) (?:жизнью|головой|здоровьем)",
    r"(?:на куски|на части) (?:порву|порежу|разорву)",
)
