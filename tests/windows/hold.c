/* Test fixture: holds a file open with no sharing, as WPS or Word does with a
 * document it has open, until its standard input closes. Prints "held" once
 * the file is open. */
#include <stdio.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 2) return 2;
    HANDLE file = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold: error %lu\n", GetLastError());
        return 1;
    }
    printf("held\n");
    fflush(stdout);
    getchar();
    CloseHandle(file);
    return 0;
}
