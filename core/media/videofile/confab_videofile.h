// confab_videofile: video files read through OpenCV's videoio, in a module of its own that the
// client loads (QLibrary) only when a file is used as a camera. videoio pulls in ffmpeg,
// GStreamer and imgcodecs (some 240 shared libraries); linked into the client they cost
// ~130 ms at every start. A plain C interface: no Qt, no C++ types, no exceptions across it.
#pragma once

#include <stddef.h>

#if defined(_WIN32)
#if defined(CONFAB_VIDEOFILE_BUILDING)
#define CONFAB_VIDEOFILE_EXPORT __declspec(dllexport)
#else
#define CONFAB_VIDEOFILE_EXPORT __declspec(dllimport)
#endif
#else
#define CONFAB_VIDEOFILE_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

// Raised when a function below changes its meaning; the loader refuses a module with another.
#define CONFAB_VIDEOFILE_ABI 1

typedef struct ConfabVideoFile ConfabVideoFile;

// One decoded picture, owned by the file: BGR, 8 bits per channel, `step` bytes per row
// (cv::Mat(height, width, CV_8UC3, data, step)). Valid until the next read, rewind or close.
typedef struct ConfabVideoFrame
{
    int width;
    int height;
    size_t step;
    const unsigned char *data;
} ConfabVideoFrame;

// CONFAB_VIDEOFILE_ABI of the module.
CONFAB_VIDEOFILE_EXPORT int confab_videofile_abi(void);
// Opens a video file (UTF-8 path). NULL when it cannot be opened; see last_error.
CONFAB_VIDEOFILE_EXPORT ConfabVideoFile *confab_videofile_open(const char *path);
// The next picture into *frame: 1; no picture (the end, or nothing readable): 0; an error: -1.
CONFAB_VIDEOFILE_EXPORT int confab_videofile_read(ConfabVideoFile *file, ConfabVideoFrame *frame);
// Back to the first picture (reopening the file when the format cannot seek): 1, or 0.
CONFAB_VIDEOFILE_EXPORT int confab_videofile_rewind(ConfabVideoFile *file);
CONFAB_VIDEOFILE_EXPORT void confab_videofile_close(ConfabVideoFile *file);
// What the last failed call on this thread said (OpenCV's message), "" if nothing. Valid until
// the thread's next call.
CONFAB_VIDEOFILE_EXPORT const char *confab_videofile_last_error(void);

typedef int (*ConfabVideoFileAbiFn)(void);
typedef ConfabVideoFile *(*ConfabVideoFileOpenFn)(const char *);
typedef int (*ConfabVideoFileReadFn)(ConfabVideoFile *, ConfabVideoFrame *);
typedef int (*ConfabVideoFileRewindFn)(ConfabVideoFile *);
typedef void (*ConfabVideoFileCloseFn)(ConfabVideoFile *);
typedef const char *(*ConfabVideoFileLastErrorFn)(void);

#ifdef __cplusplus
}
#endif
