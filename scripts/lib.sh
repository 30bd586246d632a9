# Shared helpers for the scripts in this folder (sourced, not run).

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# apt_install PACKAGE...: install Debian packages, only when we may (root with apt-get).
apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian package(s): $*. Install them as root: apt-get install -y $*"
    fi
    have apt-get || die "missing package(s) $* and no apt-get here; install them with the system's package manager"
    say "Installing Debian package(s): $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# served_url HOST PORT: the address a browser reaches the server at (BASE_URL's default):
# a server listening on every interface is reached on 127.0.0.1.
served_url() {
    case "$1" in
        0.0.0.0 | :: | "") printf 'http://127.0.0.1:%s\n' "$2" ;;
        *) printf 'http://%s:%s\n' "$1" "$2" ;;
    esac
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# now_s: seconds since the epoch, for timing the steps.
now_s() { date +%s; }
