#ifndef CPOSIXSPAWN_H
#define CPOSIXSPAWN_H

#include <spawn.h>

/* glibc 2.34+ declares this only with _GNU_SOURCE, which Swift's Glibc module does not set: close every
   descriptor from `from` up in the child, so a long-lived worker inherits nothing it should not hold. */
int tablekeeper_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
