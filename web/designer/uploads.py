"""Files that come from or go to the designer's browser (pure: bytes in, bytes or files out).

- :func:`spiff_folder_from_zip`: a spiff-arena model folder uploaded as a zip (the folder itself
  or its files at the top). Only the files directly in the folder are read (sub-folders are
  other models in spiff-arena); paths are checked like a package zip import.
- :func:`spiff_folder_from_files`: the same from single uploaded files (``<input multiple>``).
- :func:`spiff_zip`: a model folder as zip bytes (``<folder>/<file>``), reproducible.
- :func:`uploaded_text_files`: uploaded package files as ``{path: text}`` (UTF-8, line ends unified).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from engine.designer.archive import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, safe_relative_path
from engine.designer.spiff_arena import SpiffFolder
from engine.errors import InputInvalid

MODEL_FILE = "process_model.json"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _invalid(log: str, user: str, field: str = "datei") -> InputInvalid:
    return InputInvalid(log, user_message=user, errors={field: [user]})


def spiff_folder_from_zip(data: bytes, fallback_name: str = "") -> SpiffFolder:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise _invalid(f"not a zip file: {err}", "Die Datei ist kein ZIP-Archiv.") from err
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise _invalid("spiff zip too large", "Das Archiv ist zu groß (höchstens "
                           f"{MAX_FILES} Dateien und {MAX_TOTAL_BYTES // (1024 * 1024)} MB).")
        paths: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            path = safe_relative_path(info.filename)
            if path is None:
                raise _invalid(f"unsafe path {info.filename!r}",
                               f"Das Archiv enthält den unzulässigen Pfad „{info.filename}“.")
            if info.file_size > MAX_FILE_BYTES:
                raise _invalid(f"{path} too large", f"Die Datei „{path}“ ist zu groß.")
            paths[path] = info
        folder = _model_folder(paths)
        if folder is None:
            raise _invalid("no process_model.json", "Im Archiv fehlt process_model.json (oben oder in einem "
                                                    "Ordner); es ist kein spiff-arena-Prozessmodell.")
        prefix = f"{folder}/" if folder else ""
        files: dict[str, str | bytes] = {}
        for path, info in sorted(paths.items()):
            rest = path[len(prefix):] if path.startswith(prefix) else None
            if rest is None or "/" in rest or rest.startswith("."):
                continue
            files[rest] = zf.read(info)
    name = PurePosixPath(folder).name if folder else fallback_name
    return SpiffFolder(name or "prozessmodell", files)


def _model_folder(paths: dict[str, zipfile.ZipInfo]) -> str | None:
    """The folder holding process_model.json ("" for the top), the shallowest one if several."""
    candidates = sorted((p.count("/"), p) for p in paths if PurePosixPath(p).name == MODEL_FILE)
    if not candidates:
        return None
    parent = PurePosixPath(candidates[0][1]).parent.as_posix()
    return "" if parent == "." else parent


def spiff_folder_from_files(files: Iterable[tuple[str, bytes]], name: str) -> SpiffFolder:
    out: dict[str, str | bytes] = {}
    for filename, content in files:
        base = PurePosixPath(filename.replace("\\", "/")).name
        if not base or base.startswith("."):
            continue
        if len(content) > MAX_FILE_BYTES:
            raise _invalid(f"{base} too large", f"Die Datei „{base}“ ist zu groß.")
        out[base] = content
    if MODEL_FILE not in out:
        raise _invalid("no process_model.json", "Unter den Dateien fehlt process_model.json; sie bilden kein "
                                                "spiff-arena-Prozessmodell.")
    return SpiffFolder(name or "prozessmodell", out)


def spiff_zip(folder: SpiffFolder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(folder.files):
            content = folder.files[name]
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content if isinstance(content, bytes) else content.encode("utf-8"))
    return buffer.getvalue()


def uploaded_text_files(files: Iterable[tuple[str, bytes]], folder: str) -> dict[str, str]:
    """``{folder/name: text}`` of uploaded files; raises InputInvalid naming every unreadable file."""
    out: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for filename, content in files:
        base = PurePosixPath(filename.replace("\\", "/")).name
        if not base:
            continue
        path = f"{folder.strip('/')}/{base}" if folder.strip("/") else base
        try:
            out[path] = content.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            errors[path] = ["Die Datei ist nicht UTF-8-kodiert (nur Textdateien gehören in ein Verfahrenspaket)."]
    if errors:
        raise InputInvalid(f"undecodable uploads {sorted(errors)}", errors=errors,
                           user_message="Einige Dateien konnten nicht gelesen werden.")
    if not out:
        raise _invalid("no files uploaded", "Bitte wählen Sie mindestens eine Datei aus.")
    return out
