/* Writes Samples/xlsx/libxlsxwriter.xlsx with libxlsxwriter (shared strings, formulas with
 * cached values, dates, booleans). Built and run by scripts/generate_xlsx_fixtures.py:
 *   cc -o fixture scripts/xlsx_fixture_libxlsxwriter.c -lxlsxwriter && ./fixture out.xlsx */
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "libxlsxwriter.xlsx";
    lxw_workbook *workbook = workbook_new(path);
    lxw_worksheet *sheet = workbook_add_worksheet(workbook, "Ledger");
    lxw_format *date = workbook_add_format(workbook);
    format_set_num_format(date, "yyyy-mm-dd");
    const char *header[] = {"id", "name", "amount", "due", "active", "total"};
    for (int c = 0; c < 6; c++) worksheet_write_string(sheet, 0, c, header[c], NULL);
    const char *names[] = {"Anna", "Bob, Jr.", NULL};
    double amounts[] = {10, 0.1, -1234.56};
    lxw_datetime dates[] = {{2024, 1, 15, 0, 0, 0}, {1999, 12, 31, 0, 0, 0}, {2000, 2, 29, 0, 0, 0}};
    int active[] = {1, 0, 1};
    for (int r = 0; r < 3; r++) {
        char formula[32];
        worksheet_write_number(sheet, r + 1, 0, r + 1, NULL);
        if (names[r]) worksheet_write_string(sheet, r + 1, 1, names[r], NULL);
        worksheet_write_number(sheet, r + 1, 2, amounts[r], NULL);
        worksheet_write_datetime(sheet, r + 1, 3, &dates[r], date);
        worksheet_write_boolean(sheet, r + 1, 4, active[r], NULL);
        snprintf(formula, sizeof formula, "=C%d*2", r + 2);
        worksheet_write_formula_num(sheet, r + 1, 5, formula, NULL, amounts[r] * 2);
    }
    return workbook_close(workbook) == LXW_NO_ERROR ? 0 : 1;
}
