add_compile_options(-Wall -Wextra)
if(JOBSYNC_WERROR)
  add_compile_options(-Werror)
endif()
