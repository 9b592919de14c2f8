#!/usr/bin/env bash
# Generate the msg/ interfaces with rosidl and install them into the venv (the install prefix).
# The Python packages are installed editable by pip instead (VISUOMOTOR_INSTALL_PYTHON=OFF).
set -eu
venv=$(cd "$1" && pwd)
export CMAKE_PREFIX_PATH=$venv AMENT_PREFIX_PATH=$venv PATH=$venv/bin:$PATH
cmake -S . -B build/cmake -DCMAKE_INSTALL_PREFIX="$venv" -DPython3_EXECUTABLE="$venv/bin/python" \
      -DVISUOMOTOR_INSTALL_PYTHON=OFF
cmake --build build/cmake -j2
cmake --install build/cmake
"$venv/bin/python" -c "from visuomotor_ros.msg import TrackArray"
