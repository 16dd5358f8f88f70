#!/bin/bash
# The end-to-end scenario of tests/integration/scenarios.sh again, with the
# DNS sends tracked by the eBPF tripwire (the default sources) instead of
# audit's send rules: the same clients must get the same verdicts.
RS_TEST_NAME=scenarios_ebpf RS_SCENARIO_SENDS=ebpf exec bash "$(dirname "$0")/scenarios.sh" "$@"
