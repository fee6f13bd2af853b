#ifndef SLUICE_CLIBXLSXWRITER_SHIM_H
#define SLUICE_CLIBXLSXWRITER_SHIM_H
// libxlsxwriter (Debian: libxlsxwriter-dev), used by SluiceReports for XLSX reports.
#include <xlsxwriter.h>
#endif
