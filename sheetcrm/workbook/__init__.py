"""All I/O: backends (memory, xlsx, Google Sheets), snapshot -> frames, the layout
sheetcrm creates, sync (load -> analyse -> plan -> write) and forget."""
