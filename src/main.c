/* resolvstale: find the processes that still use a retired DNS resolver. */
#include "resolvstale/cli.h"

int main(int argc, char **argv)
{
	return rs_cli_main(argc, argv);
}
