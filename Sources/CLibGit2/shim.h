#ifndef CLIBGIT2_SHIM_H
#define CLIBGIT2_SHIM_H

#include <git2.h>
#include <malloc.h>

/* git_libgit2_opts() is variadic, which Swift cannot call: wrap the options we use. */
static inline int clibgit2_set_search_path_empty(void) {
    int e;
    if ((e = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "")) < 0) return e;
    if ((e = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "")) < 0) return e;
    if ((e = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "")) < 0) return e;
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "");
}
static inline int clibgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
static inline int clibgit2_set_ssl_cert_locations(const char *file, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}

/* The worker is kept between polls: memory freed after a request goes back to the system. */
static inline void clibgit2_release_free_memory(void) {
    malloc_trim(0);
}

#endif
