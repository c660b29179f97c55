#!/usr/bin/env bash
# A login environment of the lab's own: the home directories and shell start-up files that an SSH
# login on a lab host sees come from a folder the lab made, never from the machine. Used for every
# lab site with an sshd (lab.sh) and for the test sshd of the SSH-layer tests (tests/helpers/sshd.ts).
#
#   bash lab/login-env.sh make DIR LABEL [USER]
#       makes DIR/root (root's home), DIR/home/USER (USER's home, owned by USER), DIR/etc/profile,
#       DIR/etc/profile.d/, DIR/etc/bash.bashrc, DIR/etc/bash.bash_logout, DIR/etc/environment and
#       DIR/etc/ssh/ (a copy of the machine's moduli, nothing else). LABEL names the host in the files.
#   bash lab/login-env.sh enter DIR [KEEP...] -- CMD...
#       mounts those over /root, /home and the same paths in /etc, then execs CMD. Run it in a
#       private mount namespace of its own (`unshare -m --propagation private`): the mounts then
#       never reach the machine and vanish with the last process of that namespace. A KEEP path
#       (the lab's own files) that lies under /root or /home stays visible at the same path.
#
# What an sshd-started command would otherwise run (Debian): sshd runs `$SHELL -c CMD`; Debian's bash
# is built with SSH_SOURCE_BASHRC, so such a bash reads /etc/bash.bashrc and ~/.bashrc although it is
# neither interactive nor a login shell. A login shell (no command, or `bash -l`) reads /etc/profile,
# /etc/profile.d/*.sh and ~/.bash_profile, ~/.bash_login or ~/.profile, and ~/.bash_logout and
# /etc/bash.bash_logout at exit. sshd itself runs ~/.ssh/rc, else /etc/ssh/sshrc. /etc/environment is
# read by PAM (pam_env), which the lab's sshd does not use, and covered all the same.
set -euo pipefail

# Start-up files in /etc, replaced when the machine has them (a bind mount needs a target).
ETC_FILES=(profile bash.bashrc bash.bash_logout environment)
ETC_DIRS=(profile.d ssh)

make_env() {
    local dir="$1" label="$2" user="${3:-}" f
    rm -rf "$dir"
    mkdir -p "$dir/root" "$dir/home" "$dir/etc/profile.d" "$dir/etc/ssh"
    chmod 0755 "$dir" "$dir/home" "$dir/etc" "$dir/etc/profile.d" "$dir/etc/ssh"
    chmod 0700 "$dir/root"
    printf "root's home on %s, made by lab/login-env.sh\n" "$label" >"$dir/root/.lab-home"
    if [ -n "$user" ]; then
        mkdir -p "$dir/home/$user"
        printf "%s's home on %s, made by lab/login-env.sh\n" "$user" "$label" >"$dir/home/$user/.lab-home"
        chown -R "$user:" "$dir/home/$user"
        chmod 0755 "$dir/home/$user"
    fi
    for f in "${ETC_FILES[@]}"; do
        printf '# /etc/%s of %s, made by lab/login-env.sh: no start-up file of the machine runs here.\n' "$f" "$label" >"$dir/etc/$f"
    done
    : >"$dir/etc/environment"
    # sshd's Diffie-Hellman group exchange reads the moduli; they are data, not a start-up file.
    if [ -f /etc/ssh/moduli ]; then cp /etc/ssh/moduli "$dir/etc/ssh/moduli"; fi
    # Readable by every user, as in /etc (whatever the caller's umask).
    find "$dir/etc" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
    if [ -n "$user" ]; then chmod 0644 "$dir/home/$user/.lab-home"; fi
}

# keep_visible REPLACEMENT MOUNTPOINT PATH: if PATH lies under MOUNTPOINT, bind it into REPLACEMENT
# at the same relative place, so that it is still there once REPLACEMENT covers MOUNTPOINT.
keep_visible() {
    local replacement="$1" mountpoint="$2" path="$3" inside
    case "$path" in "$mountpoint"/*) ;; *) return 0 ;; esac
    inside="$replacement/${path#"$mountpoint"/}"
    if [ -d "$path" ]; then mkdir -p "$inside"; else mkdir -p "$(dirname "$inside")" && touch "$inside"; fi
    mount --bind "$path" "$inside"
}

enter_env() {
    local dir="$1" top keep=() f d
    shift
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do keep+=("$(realpath -m "$1")"); shift; done
    [ "${1:-}" = -- ] || { echo "login-env.sh: enter DIR [KEEP...] -- CMD..." >&2; exit 2; }
    shift
    [ -d "$dir/root" ] || { echo "login-env.sh: $dir was not made (login-env.sh make $dir ...)" >&2; exit 2; }
    for top in root home; do
        for f in ${keep[@]+"${keep[@]}"}; do keep_visible "$dir/$top" "/$top" "$f"; done
        mount --rbind "$dir/$top" "/$top"
    done
    for f in "${ETC_FILES[@]}"; do if [ -e "/etc/$f" ]; then mount --bind "$dir/etc/$f" "/etc/$f"; fi; done
    for d in "${ETC_DIRS[@]}"; do if [ -d "/etc/$d" ]; then mount --bind "$dir/etc/$d" "/etc/$d"; fi; done
    exec "$@"
}

case "${1:-}" in
    make) shift; make_env "$@" ;;
    enter) shift; enter_env "$@" ;;
    *) echo "usage: login-env.sh make DIR LABEL [USER] | enter DIR [KEEP...] -- CMD..." >&2; exit 2 ;;
esac
