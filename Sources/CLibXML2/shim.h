// libxml2's SAX2 push parser, for streaming XLSX sheet parts.
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
