// zlib, for HTTP compression (gzip/deflate). deflateInit2 is a macro.
#include <zlib.h>
static inline int cz_deflate_init2(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}
static inline int cz_inflate_init2(z_streamp strm, int windowBits) { return inflateInit2(strm, windowBits); }
