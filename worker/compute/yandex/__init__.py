"""The Yandex Cloud GPU compute backend (docs/yandex-cloud.md): a machine per job run,
created, watched and deleted with the official `yandexcloud` SDK; data through Object
Storage and presigned URLs; the reaper deletes any machine of ours whose job is over."""
