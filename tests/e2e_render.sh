#!/usr/bin/env bash
# e2e_render.sh: `eureka render` through the real binary: MuJoCo's renderer in OSMesa,
# H.264 through ffmpeg. Short clips (320x240) of a reorient and a cartpole policy: the
# MP4 holds exactly the frames render reports (ffprobe counts them) and the picture moves.
# usage: e2e_render.sh /path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null; }
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
               -of default=nokey=1:noprint_wrappers=1 "$1" 2>/dev/null; }
# Frame n of a video as raw RGB bytes.
frame() { ffmpeg -loglevel error -y -i "$1" -vf "select=eq(n\\,$2)" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$3"; }

# 1. reorient: --reward --train (sandboxed training, then the film in the parent).
if "$EUREKA" render --task reorient --reward "$ROOT/rewards/reorient_human.c" --train --steps 20000 \
        --width 320 --height 240 --out "$TMP/ro.mp4" --json > "$TMP/ro.json"; then ok
else bad "render --train exited $?"; fi
n=$(json "$TMP/ro.json" frames)
# One episode of 75 steps at 25 Hz: the first frame, 75 steps, the last held 0.5 s (13).
[ "$n" = 89 ] && ok || bad "reorient: render reported ${n:-no} frames, want 89"
c=$(frames "$TMP/ro.mp4")
[ "$c" = "$n" ] && ok || bad "reorient: ffprobe counts ${c:-no} frames, render said $n"
[ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$TMP/ro.mp4")" = "h264,320,240" ] \
    && ok || bad "reorient: not a 320x240 H.264 stream"
frame "$TMP/ro.mp4" 0 "$TMP/a.rgb" && frame "$TMP/ro.mp4" 60 "$TMP/b.rgb"
[ -s "$TMP/a.rgb" ] && [ -s "$TMP/b.rgb" ] && ! cmp -s "$TMP/a.rgb" "$TMP/b.rgb" && ok \
    || bad "reorient: frames 0 and 60 are the same picture"

# 2. cartpole: a trained policy in a directory; the video lands beside its train.json.
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --steps 20000 --quiet \
    --out "$TMP/cp" > /dev/null || bad "train cartpole exited $?"
if "$EUREKA" render --policy "$TMP/cp" --max-steps 40 --width 320 --height 240 --json > "$TMP/cp.json"; then ok
else bad "render --policy exited $?"; fi
n=$(json "$TMP/cp.json" frames)
c=$(frames "$TMP/cp/video.mp4")
[ -n "$n" ] && [ "$c" = "$n" ] && ok || bad "cartpole: ffprobe counts ${c:-no} frames, render said ${n:-none}"
[ "${n:-0}" -ge 27 ] && [ "${n:-999}" -le 66 ] && ok || bad "cartpole: $n frames, want 2..41 steps + 25 held"
frame "$TMP/cp/video.mp4" 0 "$TMP/a.rgb" && frame "$TMP/cp/video.mp4" $((n - 1)) "$TMP/b.rgb"
! cmp -s "$TMP/a.rgb" "$TMP/b.rgb" && ok || bad "cartpole: first and last frames are the same picture"

# 3. A policy that does not fit the task fails with one line and exit 1; no video is left.
python3 - "$TMP/cp/train.json" "$TMP/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["policy"]["actor"] = d["policy"]["actor"][:-1]
json.dump(d, open(sys.argv[2], "w"))
PY
"$EUREKA" render --policy "$TMP/bad.json" --out "$TMP/bad.mp4" > /dev/null 2> "$TMP/bad.err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$TMP/bad.err")" -eq 1 ] && grep -q "finite numbers for task cartpole" "$TMP/bad.err" \
    && ok || bad "bad policy: exit $rc, $(cat "$TMP/bad.err")"
[ ! -e "$TMP/bad.mp4" ] && [ ! -e "$TMP/bad.mp4.part" ] && ok || bad "bad policy left a video behind"

# 4. Usage errors exit 2.
"$EUREKA" render --task reorient > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "render without a policy should exit 2"
"$EUREKA" render --policy "$TMP/cp" --width 321 > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "an odd width should exit 2"

e2e_end
