// (filled in with the info command)
#include "image/open.h"
