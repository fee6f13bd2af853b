// libxml2's SAX2 push parser, for streaming XLSX sheet parts.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and its encoding.h then includes ICU's headers, whose
// UErrorCode clashes with the copy inside Foundation (_FoundationICU) in any module that
// imports both. Sluice never touches libxml2's encoding handlers (XLSX parts are UTF-8), so
// the ICU parts of those declarations are left out; the structs that change are only used
// through pointers.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
