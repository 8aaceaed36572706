# Turns a text file into a C source defining `const char SYMBOL[]` with its contents.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\n#include <stddef.h>\n")
file(APPEND ${OUT} "extern const char ${SYMBOL}[];\nextern const size_t ${SYMBOL}_len;\n")
file(APPEND ${OUT} "const char ${SYMBOL}[] = {${body} 0x00};\n")
file(APPEND ${OUT} "const size_t ${SYMBOL}_len = sizeof(${SYMBOL}) - 1;\n")
