# lib.sh: what the bench scripts share (sourced, not run).

# build_rev WHO REV DIR [TARGET] [HOOK]: build an older revision of this repository from
# `git archive REV` in DIR/src into DIR/build (Release), once: an existing DIR/build/TARGET
# is kept. TARGET defaults to eureka (which builds its worker too); HOOK, a function,
# gets DIR/src to edit before the build. A failed build ends the script with a line that
# names WHO, the log and the usual cause.
build_rev() {
    local who=$1 rev=$2 dir=$3 target=${4:-eureka} hook=${5:-}
    [ -x "$dir/build/$target" ] && return 0
    git -C "$ROOT" rev-parse -q --verify "$rev^{commit}" >/dev/null ||
        { echo "$who: $rev is not a revision of $ROOT (git log shows them)" >&2; exit 1; }
    rm -rf "$dir/src" "$dir/build" && mkdir -p "$dir/src"
    git -C "$ROOT" archive "$rev" | tar -x -C "$dir/src"
    [ -z "$hook" ] || "$hook" "$dir/src"
    cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release >"$dir/build.log" 2>&1 &&
        cmake --build "$dir/build" --target "$target" -j "$(nproc)" >>"$dir/build.log" 2>&1 ||
        { echo "$who: building $rev failed: see $dir/build.log (round 1's b3bb736 wants Debian's tcc package: apt-get install tcc)" >&2; exit 1; }
}
