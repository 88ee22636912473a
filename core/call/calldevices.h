#pragma once

#include <QString>

// The devices a call uses, as DeviceSpec strings ("" = the system's default), and the video
// codec to prefer. Plain data: the chat side keeps it (the command line, the settings) before
// the media module that uses it is loaded.
struct CallDevices
{
    QString camera;     // VideoSource::create's spec; "" = the default camera
    QString microphone; // AudioCapture::create's spec; "" = the default microphone
    QString speaker;    // AudioPlayback::create's spec; "" = the default output
    QString codec = QStringLiteral("vp8");
};
