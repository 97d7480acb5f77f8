from sheetcrm import api
from sheetcrm.backends.xlsx import XlsxBackend


def test_demo_workbook_syncs_then_has_nothing_to_say(demo_xlsx, settings, today):
    path = demo_xlsx(60)
    s = settings.replace(workbook=path)
    first = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert first.written
    mtime = path.stat().st_mtime_ns
    second = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert not second.changed and not second.written
    assert path.stat().st_mtime_ns == mtime
