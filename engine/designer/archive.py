"""A service package as a zip file: export and import.

Layout of the zip: one folder ``<service_id>/`` holding the package exactly as it is stored
(``service.toml``, ``*.bpmn``, ``*.dmn``, ``forms/…``, ``documents/…``, ``tests/…``). Export is
deterministic (sorted entries, fixed timestamps), so the same version always gives the same
bytes. Import accepts that layout or the files directly at the top of the zip.

Import is defensive, because a zip comes from outside: absolute paths and ``..`` are refused
(nothing is ever written outside the package), sizes and the number of files are limited
(against zip bombs), text must be UTF-8. Files that cannot be part of a package (images,
binaries, macOS metadata) are left out and named in the notes. Line endings are normalised
to ``\\n``, as reading a package from disk does, so a package keeps its content hash through
export and import.
"""

from __future__ import annotations

import io
import posixpath
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from engine.catalog.package import MANIFEST, SERVICE_ID, TEXT_SUFFIXES, PackageFiles
from engine.designer.manifest import with_service_id
from engine.errors import InputInvalid

MAX_FILES = 500
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_IGNORED_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db")


@dataclass(frozen=True, slots=True)
class ImportedPackage:
    """A package read from outside, with what was left out or assumed (German notes)."""

    package: PackageFiles
    notes: tuple[str, ...] = ()


def export_zip(package: PackageFiles) -> bytes:
    """The package as zip bytes (see the module docstring for the layout)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.files):
            info = zipfile.ZipInfo(f"{package.service_id}/{path}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, package.files[path].encode("utf-8"))
    return buffer.getvalue()


def safe_relative_path(name: str) -> str | None:
    """``name`` as a clean relative POSIX path, or None if it is absolute or leaves its folder."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    clean = posixpath.normpath(name)
    if clean in (".", "") or clean.startswith("../") or clean == "..":
        return None
    return clean


def _invalid(log: str, user: str) -> InputInvalid:
    return InputInvalid(log, user_message=user, errors={"": [user]})


def import_zip(data: bytes, *, service_id: str | None = None) -> ImportedPackage:
    """Read a package from zip bytes; raises :class:`InputInvalid` (German) if it cannot be one."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise _invalid(f"not a zip file: {err}", "Die Datei ist kein ZIP-Archiv.") from err
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES:
            raise _invalid(f"{len(infos)} entries", f"Das Archiv enthält {len(infos)} Dateien; "
                                                     f"erlaubt sind höchstens {MAX_FILES}.")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise _invalid(f"{total} bytes uncompressed", "Das Archiv ist entpackt zu groß "
                                                          f"(höchstens {MAX_TOTAL_BYTES // (1024 * 1024)} MB).")
        notes: list[str] = []
        raw: dict[str, bytes] = {}
        for info in infos:
            path = safe_relative_path(info.filename)
            if path is None:
                raise _invalid(f"unsafe path {info.filename!r}",
                               f"Das Archiv enthält den unzulässigen Pfad „{info.filename}“.")
            if any(part in _IGNORED_PARTS for part in PurePosixPath(path).parts):
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise _invalid(f"{path}: {info.file_size} bytes",
                               f"Die Datei „{path}“ ist zu groß (höchstens {MAX_FILE_BYTES // (1024 * 1024)} MB).")
            raw[path] = zf.read(info)
    prefix = _common_prefix(raw)
    files: dict[str, str] = {}
    for path, content in sorted(raw.items()):
        rel = path[len(prefix):]
        if any(part.startswith((".", "__")) for part in PurePosixPath(rel).parts):
            notes.append(f"„{rel}“ wurde übersprungen (versteckte Datei).")
            continue
        if PurePosixPath(rel).suffix.lower() not in TEXT_SUFFIXES:
            notes.append(f"„{rel}“ wurde übersprungen: dieser Dateityp gehört nicht in ein Verfahrenspaket.")
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputInvalid(f"{rel} is not UTF-8", errors={rel: ["Die Datei ist nicht UTF-8-kodiert."]},
                               user_message=f"Die Datei „{rel}“ ist nicht UTF-8-kodiert.") from err
        files[rel] = text.replace("\r\n", "\n")
    if MANIFEST not in files:
        raise _invalid("no service.toml", "Im Archiv fehlt die Datei service.toml (oben oder in genau einem Ordner).")
    stated = _manifest_id(files[MANIFEST])
    sid = service_id or stated or prefix.rstrip("/")
    if not sid or not SERVICE_ID.match(sid):
        raise _invalid(f"no usable service id ({sid!r})",
                       f"Aus dem Archiv ergibt sich keine gültige Verfahrenskennung („{sid}“): erlaubt sind "
                       "Kleinbuchstaben, Ziffern und Unterstrich, beginnend mit einem Buchstaben.")
    if stated is not None and stated != sid:
        renamed = with_service_id(files[MANIFEST], sid)
        if renamed is not None:
            files[MANIFEST] = renamed
            notes.append(f"Die Kennung in service.toml wurde von „{stated}“ auf „{sid}“ geändert.")
    return ImportedPackage(PackageFiles(sid, files), tuple(notes))


def _common_prefix(raw: dict[str, bytes]) -> str:
    """``folder/`` if every entry lies in one top folder that holds the service.toml."""
    tops = {p.split("/", 1)[0] for p in raw if "/" in p}
    if len(tops) == 1 and all("/" in p for p in raw):
        top = next(iter(tops))
        if f"{top}/{MANIFEST}" in raw:
            return f"{top}/"
    return ""


def _manifest_id(text: str) -> str | None:
    try:
        value = tomllib.loads(text).get("id")
    except tomllib.TOMLDecodeError:
        return None
    return value if isinstance(value, str) else None
