// zlib's raw inflate, for the deflate streams inside XLSX (zip) containers.
#include <zlib.h>
