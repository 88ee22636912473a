# Windows and macOS installers, included from packaging/CMakeLists.txt. Built by CI on those
# systems (.github/workflows/build.yml); nothing here runs on Linux.

if(WIN32)
    # The Qt runtime next to confab.exe (windeployqt), then an NSIS installer with a
    # Start-menu entry and an uninstaller.
    set_target_properties(confab PROPERTIES WIN32_EXECUTABLE ON)
    # windeployqt over confab.exe and the media module (ui/CMakeLists.txt, installed into bin/
    # before this runs): the program links no Qt Multimedia, the module does, so the module
    # must be named for Qt Multimedia and its plugins to be deployed.
    set(confab_deploy_script ${CMAKE_CURRENT_BINARY_DIR}/deploy-confab-$<CONFIG>.cmake)
    file(GENERATE OUTPUT ${confab_deploy_script} CONTENT "
include(\"${QT_DEPLOY_SUPPORT}\")
qt_deploy_runtime_dependencies(
    EXECUTABLE \"\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:confab>\"
    ADDITIONAL_MODULES \"\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:confab_mediamodule>\"
    GENERATE_QT_CONF
)
")
    install(SCRIPT ${confab_deploy_script} COMPONENT client)
    install(TARGETS confab-server RUNTIME DESTINATION bin COMPONENT client)
    set(CPACK_GENERATOR "NSIS;ZIP")
    set(CPACK_COMPONENTS_ALL client)
    set(CPACK_PACKAGE_INSTALL_DIRECTORY "Confab")
    set(CPACK_NSIS_DISPLAY_NAME "Confab")
    set(CPACK_NSIS_PACKAGE_NAME "Confab ${PROJECT_VERSION}")
    set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
    set(CPACK_NSIS_MODIFY_PATH OFF)
    set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\confab.exe")
    set(CPACK_PACKAGE_EXECUTABLES "confab;Confab")
    set(CPACK_CREATE_DESKTOP_LINKS "confab")
    set(CPACK_NSIS_MENU_LINKS "bin/confab.exe;Confab")
endif()

if(APPLE)
    # An app bundle with icon and Info.plist (camera and microphone usage descriptions,
    # high-DPI), the Qt frameworks deployed into it (macdeployqt), in a drag-and-drop .dmg.
    set(iconset ${CMAKE_CURRENT_BINARY_DIR}/confab.iconset)
    set(icns ${CMAKE_CURRENT_BINARY_DIR}/confab.icns)
    add_custom_command(OUTPUT ${icns}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${iconset}
        COMMAND confab-render-icons ${CONFAB_ICON_SVG} ${iconset} 16 32 64 128 256 512 1024
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-16.png ${iconset}/icon_16x16.png
        COMMAND ${CMAKE_COMMAND} -E copy ${iconset}/confab-32.png ${iconset}/icon_16x16@2x.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-32.png ${iconset}/icon_32x32.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-64.png ${iconset}/icon_32x32@2x.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-128.png ${iconset}/icon_128x128.png
        COMMAND ${CMAKE_COMMAND} -E copy ${iconset}/confab-256.png ${iconset}/icon_128x128@2x.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-256.png ${iconset}/icon_256x256.png
        COMMAND ${CMAKE_COMMAND} -E copy ${iconset}/confab-512.png ${iconset}/icon_256x256@2x.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-512.png ${iconset}/icon_512x512.png
        COMMAND ${CMAKE_COMMAND} -E rename ${iconset}/confab-1024.png ${iconset}/icon_512x512@2x.png
        COMMAND iconutil -c icns ${iconset} -o ${icns}
        DEPENDS confab-render-icons ${CONFAB_ICON_SVG})
    target_sources(confab PRIVATE ${icns})
    set_source_files_properties(${icns} PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
    configure_file(macos/Info.plist.in ${CMAKE_CURRENT_BINARY_DIR}/Info.plist @ONLY)
    set_target_properties(confab PROPERTIES
        MACOSX_BUNDLE ON
        OUTPUT_NAME confab
        MACOSX_BUNDLE_INFO_PLIST ${CMAKE_CURRENT_BINARY_DIR}/Info.plist)
    install(TARGETS confab BUNDLE DESTINATION . COMPONENT client)
    # macdeployqt as qt_generate_deploy_app_script would run it, plus the video file module
    # (installed into Contents/PlugIns by core/CMakeLists.txt): its OpenCV dylibs go into the
    # bundle's Frameworks too.
    set(confab_deploy_script ${CMAKE_CURRENT_BINARY_DIR}/deploy-confab-$<CONFIG>.cmake)
    file(GENERATE OUTPUT ${confab_deploy_script} CONTENT "
include(\"${QT_DEPLOY_SUPPORT}\")
qt_deploy_runtime_dependencies(
    EXECUTABLE confab.app
    ADDITIONAL_MODULES confab.app/Contents/PlugIns/$<TARGET_FILE_NAME:confab_videofile>
                       confab.app/Contents/PlugIns/$<TARGET_FILE_NAME:confab_mediamodule>
)
")
    install(SCRIPT ${confab_deploy_script} COMPONENT client)
    set(CPACK_GENERATOR "DragNDrop")
    set(CPACK_COMPONENTS_ALL client)
    set(CPACK_DMG_VOLUME_NAME "Confab")
    set(CPACK_PACKAGE_FILE_NAME "Confab-${PROJECT_VERSION}")
endif()
