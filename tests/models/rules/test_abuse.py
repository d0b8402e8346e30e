"""W5: the abuse check flags obscenity, insults and threats, and leaves ordinary letters alone."""

import pytest

from models.rules.abuse import AbuseCategory, AbuseFinding, AbusiveWord, find_abuse

OBSCENITY = AbuseCategory.OBSCENITY
INSULT = AbuseCategory.INSULT
THREAT = AbuseCategory.THREAT

# (message, the word as written, its category)
ABUSIVE = [
    # the standard roots, with prefixes and endings
    ("Сколько можно ждать, блядь?", "блядь", OBSCENITY),
    ("Бля, опять никто не ответил", "Бля", OBSCENITY),
    ("Вы там совсем охуели?", "охуели", OBSCENITY),
    ("Нихуя не сделано за месяц", "Нихуя", OBSCENITY),
    ("Мне похуй на ваши правила", "похуй", OBSCENITY),
    ("Полный пиздец с этой лицензией", "пиздец", OBSCENITY),
    ("Хватит пиздеть про сроки", "пиздеть", OBSCENITY),
    ("Заебали уже со своими справками", "Заебали", OBSCENITY),
    ("Наебали с субсидией", "Наебали", OBSCENITY),
    ("Отъебитесь от моего магазина", "Отъебитесь", OBSCENITY),
    ("Съебались все в отпуск", "Съебались", OBSCENITY),
    ("Этот ёбаный портал не работает", "ёбаный", OBSCENITY),
    ("Ваш инспектор мудак", "мудак", OBSCENITY),
    ("Какая сука это придумала", "сука", OBSCENITY),
    # hidden by asterisks, look-alikes, spaced out, drawn out
    ("Х*й вам, а не отчёт", "Х*й", OBSCENITY),
    ("Бл**ь, сколько можно", "Бл**ь", OBSCENITY),
    ("П***ц какой-то, а не услуга", "П***ц", OBSCENITY),
    ("Идите на*уй", "на*уй", OBSCENITY),
    ("х** вам", "х**", OBSCENITY),
    ("Полный пu3дец", "пu3дец", OBSCENITY),
    ("бл@дь, опять", "бл@дь", OBSCENITY),
    ("х у й вам", "х у й", OBSCENITY),
    # insults, in any case and number
    ("Вы все идиоты", "идиоты", INSULT),
    ("Работают одни дебилы", "дебилы", INSULT),
    ("Сотрудники министерства — полные кретины", "кретины", INSULT),
    ("Ваш специалист просто урод", "урод", INSULT),
    ("Мрази, верните документы", "Мрази", INSULT),
    ("Сволочи, где мой ответ?", "Сволочи", INSULT),
    ("Сидят там одни придурки", "придурки", INSULT),
    ("Кто из этих ублюдков отвечает?", "ублюдков", INSULT),
    ("Вы идиот или притворяетесь?", "идиот", INSULT),
    ("Ваши чиновники тупые", "тупые", INSULT),
    ("Вы козлы и бездельники", "козлы", INSULT),
    ("Ты дурак, ничего не понимаешь", "дурак", INSULT),
    ("Вы скотина бессердечная", "скотина", INSULT),
    ("Вы идиoты", "идиoты", INSULT),  # Latin «o»
    ("Ты д.е.б.и.л", "д.е.б.и.л", INSULT),
    ("Ты дууурак", "дууурак", INSULT),
    ("Такие тв@ри сидят в кабинетах", "тв@ри", INSULT),
    ("ИДИОТЫ!!!", "ИДИОТЫ", INSULT),
    # threats
    ("Я вас убью", "убью", THREAT),
    ("Убьём, если не ответите", "Убьём", THREAT),
    ("Пристрелю первого, кто откажет", "Пристрелю", THREAT),
    ("Я вас всех прибью", "прибью", THREAT),
    ("Взорву ваше министерство!", "Взорву", THREAT),
    ("Сожгу ваш офис", "Сожгу", THREAT),
    ("Я вас найду и сожгу", "сожгу", THREAT),
    ("Вам конец, ждите", "Вам конец", THREAT),
    ("Тебе не жить", "Тебе не жить", THREAT),
    ("Вы ещё пожалеете об этом", "Вы ещё пожалеете", THREAT),
    ("Пожалеете, что родились", "Пожалеете", THREAT),
    ("Ноги вам переломаю", "Ноги вам переломаю", THREAT),
    ("Оторву голову вашему начальнику", "Оторву голову", THREAT),
    ("Заложу бомбу в здании", "Заложу бомбу", THREAT),
    ("Живыми не уйдёте", "Живыми не уйдёте", THREAT),
    ("Вы у меня попляшете", "Вы у меня попляшете", THREAT),
]


@pytest.mark.parametrize(("message", "word", "category"), ABUSIVE)
def test_abusive_message_is_flagged_with_its_word_and_category(
    message: str, word: str, category: AbuseCategory
) -> None:  # W5
    assert AbusiveWord(word, category) in find_abuse(message).words


CLEAN = [
    # words that merely contain a root's letters
    "Застрахуйте, пожалуйста, моё имущество",
    "Страхуйте склад от пожара",
    "Прошу разрешить употреблять скипидар на производстве",
    "В магазине нет хлеба и молока",
    "Команда проекта подготовила документы",
    "Справка нужна для ребёнка",
    "Прошу направить ответ мне и себе копию",
    "Небо над заводом чёрное от дыма",
    "Не могу зайти на веб-сайт министерства",
    "Заказ с eBay задержан на таможне",
    "Кредит ЕБРР для предприятия",
    "Ребёнок бледный после выбросов завода",
    "Овцы блеют на соседнем участке",
    "Цена рубля и курс валют",
    "Стоимость корабля указана неверно",
    "Сук на дереве упал на машину",
    "Похудение не входит в вашу компетенцию, понимаю",
    "Хулиганы разбили витрину",
    "Хутор Верхний, улица Мира",
    "Урожай в этом году уродился",
    "Команданте, мандарины, мандат депутата",
    "Ситуация ухудшилась, ответа нет",
    "Программа Хуавэй не работает",
    "Психуете зря, я просто спросил",
    # a citizen reporting what someone else said or did
    "Сосед назвал меня идиотом, прошу принять меры",
    "Продавец обозвал меня дураком",
    "Мне угрожал сосед, говорил что убьёт",
    "Сосед кричал: «Убью!» — прошу разобраться",
    "Он пообещал, что сожжёт мой гараж",
    "Оскорбление в мой адрес со стороны продавца",
    "Продавец допускал нецензурную брань и угрозы",
    "Это угроза жизни и здоровью жителей",
    "Мусорный полигон — угроза для детей",
    # legal and official vocabulary
    "Ответственность за угрозу убийством предусмотрена статьёй 119 УК РФ",
    "Статья 5.61 КоАП РФ: оскорбление",
    "Прошу привлечь к ответственности за угрозы",
    # animals, tools and things, not said to anyone
    "Купил козлы для распила досок",
    "Фундамент дома осел на 10 сантиметров",
    "Баранина и свинина подорожали",
    "Тупой угол на чертеже указан неверно",
    "Дорога ведёт в тупик",
    "Все документы тупо потерялись",
    "На ферме погибла скотина из-за выбросов",
    "Синдром Дауна у ребёнка, нужна льгота",
    # threats' words in ordinary use
    "Завтра прибью полку в кабинете",
    "Вы не пожалеете, если обратитесь к нам",
    "Найду время прийти на приём",
    "Жалеете ли вы о принятом решении?",
    "Конец месяца, отчёт сдан",
    "Разгребать завалы документов",
    # text in bold and other asterisks
    "**в среднем, с** по звонкам",
    "Сноска* к пункту 3",
    "****",
    "",
    "   ",
]


@pytest.mark.parametrize("message", CLEAN)
def test_clean_message_is_not_flagged(message: str) -> None:  # W5
    finding = find_abuse(message)
    assert not finding.found, finding.words


def test_finding_lists_each_word_once_in_order_of_appearance() -> None:
    finding = find_abuse("Идиоты! Вы идиоты. Я вас убью")
    assert finding.words == (AbusiveWord("Идиоты", INSULT), AbusiveWord("убью", THREAT))
    assert finding.categories == {INSULT, THREAT}


def test_listed_words_fit_the_record_at_a_word_boundary() -> None:
    finding = AbuseFinding(tuple(AbusiveWord(f"слово{n}", INSULT) for n in range(100)))
    listed = finding.listed(limit=30)
    assert listed == "слово0, слово1, слово2, слово3"
    assert find_abuse("Вы идиоты").listed() == "идиоты"
    assert AbuseFinding().listed() == ""


def test_a_spaced_out_word_is_reported_as_written() -> None:
    assert find_abuse("Ты д е б и л").words == (AbusiveWord("д е б и л", INSULT),)
