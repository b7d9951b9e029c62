#!/usr/bin/env bash
# e2e_full_disk: a full disk is said in one line and loses nothing. A search whose run
# directory fills up, at several points of its life (first training, halving rungs, the
# re-check, the final evaluation), stops with exit 1, names the file and the fix, and,
# once there is room again, `--resume` ends with the very result of a run that never
# stopped. `train` says the same; `render` leaves no cut video behind (Debian's ffmpeg
# exits 0 when it cannot write a file's end).
# The disk is a small tmpfs, mounted in a mount namespace of this test's own (as root, or
# as a mapped root in a user namespace): nothing outside the test sees it.
# Usage: e2e_full_disk.sh path/to/eureka
if [ -z "${E2E_FULL_DISK_NS:-}" ]; then
    if [ "$(id -u)" = 0 ]; then E2E_FULL_DISK_NS=1 exec unshare -m --propagation private bash "$0" "$@"
    else E2E_FULL_DISK_NS=1 exec unshare -r -m --propagation private bash "$0" "$@"; fi
    echo "FAIL: e2e_full_disk: no mount namespace (unshare from util-linux, as root)" >&2; exit 1
fi
. "$(dirname "$0")/lib.sh" "$@"
DISK="$TMP/disk"
mkdir "$DISK"
e2e_on_exit() { umount "$DISK" 2>/dev/null || true; }
ARGS=(--task cartpole --llm offline --iterations 2 --samples 2 --jobs 1 --threads 1 --train-steps 20000
      --eval-seeds 1 --eval-steps 20000 --seed 3 --quiet --json)
# the summary without what names the place or the time
summary() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k, None) for k in ("run", "best", "seconds")]; print(json.dumps(d, sort_keys=True))' "$1"; }

"$EUREKA" search "${ARGS[@]}" --out "$TMP/ref" > "$TMP/ref.json" || die "the reference search exited $?"
ref_kb=$(du -sk "$TMP/ref" | cut -f1)
want=$(summary "$TMP/ref.json")

for pct in 2 35 60 80 93; do
    kb=$((ref_kb * pct / 100))
    mount -t tmpfs -o size=${kb}k tmpfs "$DISK" || die "could not mount a tmpfs of ${kb} KiB"
    "$EUREKA" search "${ARGS[@]}" --out "$DISK/run" > /dev/null 2> "$TMP/full.err"; rc=$?
    [ $rc = 1 ] && [ "$(wc -l < "$TMP/full.err")" = 1 ] \
        && grep -q "^eureka search: $DISK/run/.*: No space left on device (free some disk space and retry) (the run is kept: eureka search --resume $DISK/run)" "$TMP/full.err" \
        && ok || bad "${pct}% of the room: exit $rc, not one line naming the file and the fix: $(cat "$TMP/full.err")"
    echo "${pct}% of ${ref_kb} KiB: $(cut -c1-140 "$TMP/full.err")"
    mount -o remount,size=64m "$DISK"
    "$EUREKA" search --resume "$DISK/run" --quiet --json > "$TMP/resumed.json" 2> "$TMP/resume.err" \
        && [ "$(summary "$TMP/resumed.json")" = "$want" ] && cmp -s "$DISK/run/best.c" "$TMP/ref/best.c" \
        && ok || bad "${pct}%: the resumed run is not the uninterrupted one: $(cat "$TMP/resume.err") $(cat "$TMP/resumed.json")"
    umount "$DISK"
done

mount -t tmpfs -o size=64k tmpfs "$DISK"
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --steps 20000 --quiet \
    --out "$DISK/tr" > /dev/null 2> "$TMP/train.err"; rc=$?
[ $rc = 1 ] && grep -q "^eureka train: $DISK/tr/.*No space left on device (free some disk space and retry)" "$TMP/train.err" \
    && ok || bad "train on a full disk: exit $rc: $(cat "$TMP/train.err")"
umount "$DISK"

mount -t tmpfs -o size=16k tmpfs "$DISK"
"$EUREKA" render --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --train --steps 8192 --quiet \
    --out "$DISK/v.mp4" > /dev/null 2> "$TMP/render.err"; rc=$?
[ $rc = 1 ] && grep -q "^eureka render: ffmpeg failed writing $DISK/v.mp4: .*No space left on device (free some disk space and retry)" "$TMP/render.err" \
    && ok || bad "render on a full disk: exit $rc: $(cat "$TMP/render.err")"
[ -z "$(ls -A "$DISK")" ] && ok || bad "render on a full disk left $(ls -A "$DISK")"
umount "$DISK"

e2e_end
