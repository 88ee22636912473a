// The confab_videofile module: cv::VideoCapture behind the C interface of confab_videofile.h.
#include "confab_videofile.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <exception>
#include <new>
#include <string>

struct ConfabVideoFile
{
    std::string path;
    cv::VideoCapture capture;
    cv::Mat image; // the picture read last, as read
    cv::Mat bgr;   // ... converted when it was not BGR already
};

namespace {

thread_local std::string lastError;

void setError(const char *what)
{
    try {
        lastError = what;
    } catch (...) {
    }
}

bool openCapture(ConfabVideoFile *file)
{
    file->capture.release();
    return file->capture.open(file->path) && file->capture.isOpened();
}

} // namespace

extern "C" {

int confab_videofile_abi(void)
{
    return CONFAB_VIDEOFILE_ABI;
}

ConfabVideoFile *confab_videofile_open(const char *path)
{
    lastError.clear();
    ConfabVideoFile *file = nullptr;
    try {
        file = new ConfabVideoFile;
        file->path = path ? path : "";
        if (openCapture(file))
            return file;
        setError("not a video format OpenCV knows");
    } catch (const std::exception &e) { // cv::Exception, bad_alloc
        setError(e.what());
    } catch (...) {
        setError("unknown error");
    }
    delete file;
    return nullptr;
}

int confab_videofile_read(ConfabVideoFile *file, ConfabVideoFrame *frame)
{
    lastError.clear();
    if (!file || !frame)
        return -1;
    try {
        if (!file->capture.read(file->image) || file->image.empty())
            return 0;
        const cv::Mat *out = &file->image;
        if (file->image.depth() != CV_8U) {
            setError("not 8 bits per channel");
            return -1;
        }
        if (file->image.channels() == 1) {
            cv::cvtColor(file->image, file->bgr, cv::COLOR_GRAY2BGR);
            out = &file->bgr;
        } else if (file->image.channels() == 4) {
            cv::cvtColor(file->image, file->bgr, cv::COLOR_BGRA2BGR);
            out = &file->bgr;
        } else if (file->image.channels() != 3) {
            setError("an unknown pixel format");
            return -1;
        }
        frame->width = out->cols;
        frame->height = out->rows;
        frame->step = out->step[0];
        frame->data = out->data;
        return 1;
    } catch (const std::exception &e) {
        setError(e.what());
    } catch (...) {
        setError("unknown error");
    }
    return -1;
}

int confab_videofile_rewind(ConfabVideoFile *file)
{
    lastError.clear();
    if (!file)
        return 0;
    try {
        if (file->capture.set(cv::CAP_PROP_POS_FRAMES, 0))
            return 1;
        if (openCapture(file)) // a format (or backend) that cannot seek: from the start again
            return 1;
        setError("the file cannot be opened again");
    } catch (const std::exception &e) {
        setError(e.what());
    } catch (...) {
        setError("unknown error");
    }
    return 0;
}

void confab_videofile_close(ConfabVideoFile *file)
{
    try {
        delete file; // releases the capture
    } catch (...) {
    }
}

const char *confab_videofile_last_error(void)
{
    return lastError.c_str();
}

} // extern "C"
