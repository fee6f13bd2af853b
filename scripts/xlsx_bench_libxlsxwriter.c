/* Writes a shared-strings XLSX from TSV on stdin (header line first), as Excel stores
 * strings. Column 7 (amount) is a number; column 10 (a date, YYYY-MM-DD) is a date.
 * Used by scripts/generate_xlsx_bench.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    lxw_workbook *workbook = workbook_new(argc > 1 ? argv[1] : "bench.xlsx");
    lxw_worksheet *sheet = workbook_add_worksheet(workbook, "Debtors");
    lxw_format *date = workbook_add_format(workbook);
    format_set_num_format(date, "yyyy-mm-dd");
    static char line[1 << 16];
    lxw_row_t row = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        lxw_col_t col = 0;
        for (char *field = strtok(line, "\t"); field; field = strtok(NULL, "\t"), col++) {
            if (row > 0 && col == 6) {
                worksheet_write_number(sheet, row, col, atof(field), NULL);
            } else if (row > 0 && col == 9) {
                lxw_datetime when = {0};
                sscanf(field, "%d-%d-%d", &when.year, &when.month, &when.day);
                worksheet_write_datetime(sheet, row, col, &when, date);
            } else {
                worksheet_write_string(sheet, row, col, field, NULL);
            }
        }
        row++;
    }
    return workbook_close(workbook) == LXW_NO_ERROR ? 0 : 1;
}
