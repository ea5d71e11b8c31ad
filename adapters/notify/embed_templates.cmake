# Embeds the shipped email templates (config/templates) in the binary, so the built-in words
# are the shipped files themselves, not a copy in C++. Run as a script:
#   cmake -DDIR=<templates dir> -DOUT=<file.inc> -P embed_templates.cmake
# OUT holds one initializer per file: {"milestone.da.txt", R"tmpl_(…)tmpl_"},
file(GLOB files "${DIR}/*.subject" "${DIR}/*.txt" "${DIR}/*.html" "${DIR}/*.sms")
list(SORT files)
set(out "// Generated from config/templates by adapters/notify/embed_templates.cmake.\n")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" text)
  string(FIND "${text}" ")tmpl_\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains )tmpl_\", which ends the embedded text")
  endif()
  string(APPEND out "{\"${name}\", R\"tmpl_(${text})tmpl_\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
