#include "media/audioprocessor.h"

#include "media/speexaudioprocessor.h"
#ifdef CONFAB_HAVE_WEBRTC_APM
#include "media/webrtcaudioprocessor.h"
#endif

QList<AudioProcessor::Backend> AudioProcessor::availableBackends()
{
#ifdef CONFAB_HAVE_WEBRTC_APM
    return {Backend::WebRtc, Backend::Speex};
#else
    return {Backend::Speex};
#endif
}

QString AudioProcessor::backendName(Backend backend)
{
    switch (backend) {
    case Backend::WebRtc:
        return QStringLiteral("webrtc");
    case Backend::Speex:
        return QStringLiteral("speexdsp");
    }
    return {};
}

namespace {
template <typename Processor>
std::unique_ptr<AudioProcessor> checked(std::unique_ptr<Processor> processor, QString *error)
{
    if (processor->ok())
        return processor;
    if (error)
        *error = processor->error();
    return nullptr;
}
} // namespace

std::unique_ptr<AudioProcessor> AudioProcessor::create(Backend backend, const Settings &settings,
                                                       QString *error)
{
    switch (backend) {
    case Backend::WebRtc:
#ifdef CONFAB_HAVE_WEBRTC_APM
        return checked(std::make_unique<WebRtcAudioProcessor>(settings), error);
#else
        if (error)
            *error = QStringLiteral("this build has no WebRTC audio processing "
                                    "(libwebrtc-audio-processing-dev was not found)");
        return nullptr;
#endif
    case Backend::Speex:
        return checked(std::make_unique<SpeexAudioProcessor>(settings), error);
    }
    return nullptr;
}
