#!/usr/bin/env python3
"""Build step: a text file as a C++ constant (the binary serves it).

embed-text.py INPUT OUTPUT NAME writes `constexpr std::string_view NAME`
holding INPUT's bytes, in a raw string literal."""
import sys

source, target, name = sys.argv[1:4]
text = open(source, encoding="utf-8").read()
delimiter = "lb_embed"
if ")" + delimiter + '"' in text:
    sys.exit(f"{source} contains the raw string's delimiter")
with open(target, "w", encoding="utf-8") as out:
    out.write("// Generated from " + source.split("/")[-1] + " by tools/embed-text.py.\n")
    out.write("#pragma once\n#include <string_view>\nnamespace logbase {\n")
    out.write(f'constexpr std::string_view {name} = R"{delimiter}(')
    out.write(text)
    out.write(f'){delimiter}";\n}}  // namespace logbase\n')
