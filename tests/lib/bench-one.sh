#!/bin/bash
# Run one benchmark ($1) in a private mount namespace with an overlay over /etc.
RS_TEST_NAME=bench-$(basename "$1")
. "$(dirname "$0")/common.sh"
rs_enter_private_etc "$@"
case $1 in
*.py) /usr/bin/python3 "$1" ;;
*) bash "$1" ;;
esac
