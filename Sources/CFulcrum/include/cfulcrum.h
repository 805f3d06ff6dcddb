#ifndef CFULCRUM_H
#define CFULCRUM_H
#include <stdint.h>
int cf_placeholder(void);
#endif
