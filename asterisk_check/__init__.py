"""``consult-line check-asterisk``: reads an Asterisk configuration folder and checks it against
the contract of ``asterisk/README.md``, point by point, with the line to add for every failure.

* :mod:`asterisk_check.config_reader` - ``.conf`` files read the way Asterisk reads them.
* :mod:`asterisk_check.results` - one result: title, status, explanation, fixes.
* :mod:`asterisk_check.checks` - the checks in order (pure: configs, settings, directory in).
* :mod:`asterisk_check.sounds` - which sound files Asterisk looks for, and where.
"""
