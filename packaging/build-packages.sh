#!/usr/bin/env bash
# Builds the Linux installers into build-pkg/packages:
#   confab_VERSION_amd64.deb         desktop client + confab-cli
#   confab-server_VERSION_amd64.deb  server, systemd unit, /etc/confab/server.ini
#   confab-videofile_VERSION_amd64.deb  the video file module (a file as the camera)
#   confab-VERSION-Linux.tar.gz      the same install tree as one archive
# Then prove them on a clean Debian 12 root: packaging/verify-debs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build-pkg "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCONFAB_BUILD_TESTS=OFF -DCONFAB_BUILD_BENCH=OFF
cmake --build build-pkg --parallel "$(nproc)"
rm -rf build-pkg/packages
(cd build-pkg && cpack -G DEB && cpack -G TGZ)
mkdir -p build-pkg/packages
mv build-pkg/*.deb build-pkg/*.tar.gz build-pkg/packages/
echo "== packages"
for deb in build-pkg/packages/*.deb; do
    echo "-- $deb"
    dpkg-deb --field "$deb" Package Version Depends Recommends Suggests
done
ls -l build-pkg/packages
