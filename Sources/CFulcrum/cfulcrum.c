#include "cfulcrum.h"
int cf_placeholder(void) { return 0; }
