# SPDX-License-Identifier: BSD-2-Clause
# Sourced by tools/build-busybox and tools/build-debian: apt state of
# their own, so that apt-get update, source and download read Debian's
# mirror without touching the system's sources, lists, package cache or
# dpkg status.
#
#   apt_private DIR TYPES SUITES [ARCH]
#	makes DIR/{sources.list.d,lists,cache} and one .sources stanza
#	(TYPES: deb or deb-src; SUITES: e.g. "trixie sid"; ARCH: the
#	architecture of binary packages, e.g. riscv64) on the mirror that
#	the system's apt sources use (tools/apt-mirror: the first suite's
#	own entry, else bookworm's: Debian's mirrors carry every suite), and
#	sets APT_OPTS, the options for apt-get and apt-cache, and APT_MIRROR.

apt_private() {
	local dir=$1 types=$2 suites=$3 arch=${4:-} tools first
	tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	first=${suites%% *}
	APT_MIRROR=$("$tools/apt-mirror" "$first" || "$tools/apt-mirror" bookworm) || {
		echo "apt: no apt source for $first or bookworm to take the mirror from" >&2
		return 1
	}
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	{
		printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\n' \
			"$types" "$APT_MIRROR" "$suites"
		[ -z "$arch" ] || printf 'Architectures: %s\n' "$arch"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	} > "$dir/sources.list.d/hartvisor.sources"
	APT_OPTS=(-qq -o Dir::Etc::sourcelist=/dev/null
		-o Dir::Etc::sourceparts="$dir/sources.list.d"
		-o Dir::Etc::preferences=/dev/null
		-o Dir::Etc::preferencesparts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o APT::Sandbox::User="$(id -un)"
		-o Acquire::Check-Valid-Until=false)
	# The mirror may be a dated snapshot, where sid's Release file has
	# passed its Valid-Until (a month, for sid and testing only): its
	# signature is still checked. This machine's own apt.conf.d says the
	# same; a brand-new root (tools/fresh-check) does not.
	if [ -n "$arch" ]; then
		# Another architecture's packages, and none installed: apt
		# resolves against an empty system.
		APT_OPTS+=(-o APT::Architecture="$arch" -o APT::Architectures="$arch"
			-o Dir::State::status=/dev/null)
	fi
}
