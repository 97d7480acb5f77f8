from sheetcrm import api
from sheetcrm.workbook.backends.xlsx import XlsxBackend


def test_demo_workbook_syncs_then_has_nothing_to_say(demo_xlsx, settings, today):
    """Issue 2: `init --demo 500`, then `sync` twice: the second writes nothing, mtime unchanged."""
    path = demo_xlsx(500)
    s = settings.replace(workbook=path)
    first = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert first.written
    mtime = path.stat().st_mtime_ns
    second = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert not second.changed and not second.written
    assert path.stat().st_mtime_ns == mtime


def test_demo_phones_are_fictional_and_never_repeat():
    from sheetcrm.demo import DRAMA_PHONE_RANGES, drama_phone
    from sheetcrm.privacy import normalise_phone

    numbers = [normalise_phone(drama_phone(i)) for i in range(len(DRAMA_PHONE_RANGES) * 1000)]
    assert None not in numbers and len(set(numbers)) == len(numbers)
    assert drama_phone(len(DRAMA_PHONE_RANGES) * 1000) is None
