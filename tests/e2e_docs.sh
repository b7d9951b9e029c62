#!/usr/bin/env bash
# e2e_docs.sh: the documentation's references resolve. Every relative link in README.md
# and docs/*.md points at a file that exists (and, with #anchor, at a heading of that
# file), and every src/... path a page cites exists in the tree. $1 (the binary) is not
# used; the repository is $(dirname "$0")/..
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
exec python3 - "$ROOT" <<'PY'
import os, re, sys, glob
root = sys.argv[1]
pages = [os.path.join(root, 'README.md')] + sorted(glob.glob(os.path.join(root, 'docs', '*.md')))
# Pages other branches add (linked before they are merged).
pending = set()

def slug(h):
    # GitHub's anchor: lower case, drop punctuation but '-' and '_', spaces -> '-'
    h = re.sub(r'[`*]', '', h.strip().lower())
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')

def anchors(path):
    out, code = set(), False
    for l in open(path, encoding='utf-8'):
        if l.startswith('```'):
            code = not code
        elif not code and re.match(r'#{1,6} ', l):
            out.add(slug(l.lstrip('#')))
    return out

def prose(path):
    # the text outside fenced code blocks
    out, code = [], False
    for l in open(path, encoding='utf-8'):
        if l.startswith('```'):
            code = not code
        elif not code:
            out.append(l)
    return ''.join(out)

bad, links, paths = [], 0, 0
for page in pages:
    rel_page = os.path.relpath(page, root)
    text = prose(page)
    for m in re.finditer(r'!?\[[^\]]*\]\(([^)\s]+)\)', text):
        target = m.group(1)
        if re.match(r'[a-z]+:', target):
            continue                      # http:, https:, mailto:
        links += 1
        file, _, frag = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(page), file)) if file else page
        rel_dest = os.path.relpath(dest, root)
        if rel_dest in pending:
            continue
        if not os.path.exists(dest):
            bad.append(f'{rel_page}: link {target}: {rel_dest} does not exist')
        elif frag and dest.endswith('.md') and frag not in anchors(dest):
            bad.append(f'{rel_page}: link {target}: no heading #{frag} in {rel_dest}')
    # src/ paths cited anywhere on the page (code blocks too)
    for m in re.finditer(r'(?<![\w/.-])(src/[\w./-]*\w)', open(page, encoding='utf-8').read()):
        p = m.group(1)
        paths += 1
        if not os.path.exists(os.path.join(root, p)):
            bad.append(f'{rel_page}: cites {p}, which does not exist')
for b in bad:
    print('FAIL:', b, file=sys.stderr)
print(f'{len(pages)} pages, {links} relative links, {paths} src/ paths: {len(bad)} broken')
print(f'{1 if not bad else 0} passed, {1 if bad else 0} failed')
sys.exit(1 if bad else 0)
PY
