# The microphone's clean-up (issue 13): AudioProcessor, with the WebRTC module where
# pkg-config finds it (the default) and speexdsp always (the fallback). Included from
# core/CMakeLists.txt after confab_media is defined.
target_sources(confab_media PRIVATE
    media/audioprocessor.h media/audioprocessor.cpp
    media/highpassfilter.h media/highpassfilter.cpp
    media/speexaudioprocessor.h media/speexaudioprocessor.cpp)
# GLOBAL: the tests and the benchmark resample espeak-ng's speech with it too.
pkg_check_modules(SPEEXDSP REQUIRED IMPORTED_TARGET GLOBAL speexdsp)
target_link_libraries(confab_media PRIVATE PkgConfig::SPEEXDSP)
option(CONFAB_WEBRTC_AUDIO_PROCESSING
       "Use webrtc-audio-processing for echo cancellation when found (else speexdsp only)" ON)
if(CONFAB_WEBRTC_AUDIO_PROCESSING)
    pkg_check_modules(WEBRTC_APM QUIET IMPORTED_TARGET webrtc-audio-processing)
else()
    # pkg_check_modules caches the result, and tests/ reads it: forget an earlier find.
    unset(WEBRTC_APM_FOUND CACHE)
    unset(WEBRTC_APM_FOUND)
endif()
if(WEBRTC_APM_FOUND)
    message(STATUS "Audio processing: webrtc-audio-processing ${WEBRTC_APM_VERSION}, speexdsp")
    target_sources(confab_media PRIVATE
        media/webrtcaudioprocessor.h media/webrtcaudioprocessor.cpp)
    target_link_libraries(confab_media PRIVATE PkgConfig::WEBRTC_APM)
    target_compile_definitions(confab_media PRIVATE CONFAB_HAVE_WEBRTC_APM)
else()
    message(STATUS "Audio processing: speexdsp only (no webrtc-audio-processing)")
endif()
