// VP8 through libvpx, tuned for calls: no look-ahead, constant bit rate, fast presets,
// a keyframe at the start, on request and every two seconds. Time is counted in milliseconds
// of the frames' capture times, so the rate control stays right when the pipeline sends fewer
// frames than the camera makes (the ladder's 15 fps step), and the target bit rate can change
// at any frame (vpx_codec_enc_config_set, no reopening).
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "protocol/mediapacketheader.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

namespace {

class Vp8Encoder : public VideoEncoder
{
public:
    ~Vp8Encoder() override
    {
        if (m_open)
            vpx_codec_destroy(&m_codec);
        vpx_img_free(&m_image);
    }

    bool open(int width, int height, int fps, int bitrateKbps, QString *error) override
    {
        vpx_codec_enc_cfg_t cfg;
        if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK)
            return fail(error, "no VP8 encoder");
        cfg.g_w = unsigned(width);
        cfg.g_h = unsigned(height);
        cfg.g_timebase = {1, 1000}; // ms
        cfg.rc_target_bitrate = unsigned(bitrateKbps);
        cfg.rc_end_usage = VPX_CBR;
        cfg.g_lag_in_frames = 0;
        cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
        cfg.g_threads = 1;
        cfg.kf_mode = VPX_KF_AUTO;
        cfg.kf_max_dist = unsigned(2 * fps);
        cfg.rc_min_quantizer = 4;
        cfg.rc_max_quantizer = 56;
        cfg.rc_buf_initial_sz = 500;
        cfg.rc_buf_optimal_sz = 600;
        cfg.rc_buf_sz = 1000;
        if (m_open) { // opened again (a new size): start afresh
            vpx_codec_destroy(&m_codec);
            vpx_img_free(&m_image);
            m_image = {};
            m_open = false;
        }
        if (vpx_codec_enc_init(&m_codec, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK)
            return fail(error, vpx_codec_error(&m_codec));
        m_open = true;
        m_cfg = cfg;
        m_frameMs = std::max(1, 1000 / std::max(1, fps));
        m_lastCaptureUs = 0;
        vpx_codec_control(&m_codec, VP8E_SET_CPUUSED, -16); // real time, fastest
        vpx_codec_control(&m_codec, VP8E_SET_STATIC_THRESHOLD, 1);
        // A keyframe of at most three frames' share of the rate (WebRTC caps them too): an
        // uncapped one at 640x480 was tens of kB, which on a link that just fell to 400 kbit/s
        // holds the voice behind it for a second (it goes out as one WebSocket message).
        vpx_codec_control(&m_codec, VP8E_SET_MAX_INTRA_BITRATE_PCT, 300u);
        if (!vpx_img_alloc(&m_image, VPX_IMG_FMT_I420, unsigned(width), unsigned(height), 1))
            return fail(error, "out of memory");
        m_width = width;
        m_height = height;
        m_forceKeyframe = true;
        return true;
    }

    Packet encode(const VideoFrame &frame) override
    {
        Packet out;
        if (!m_open || frame.isNull())
            return out;
        cv::Mat bgr = frame.image;
        if (bgr.cols != m_width || bgr.rows != m_height)
            cv::resize(frame.image, bgr, cv::Size(m_width, m_height), 0, 0, cv::INTER_AREA);
        cv::Mat i420;
        cv::cvtColor(bgr, i420, cv::COLOR_BGR2YUV_I420);
        // I420 from OpenCV: Y plane, then U, then V, contiguous.
        const uchar *src = i420.ptr<uchar>();
        for (int row = 0; row < m_height; ++row)
            memcpy(m_image.planes[0] + row * m_image.stride[0], src + row * m_width,
                   size_t(m_width));
        src += m_width * m_height;
        const int cw = m_width / 2, ch = m_height / 2;
        for (int plane = 1; plane <= 2; ++plane) {
            for (int row = 0; row < ch; ++row)
                memcpy(m_image.planes[plane] + row * m_image.stride[plane], src + row * cw,
                       size_t(cw));
            src += cw * ch;
        }
        const vpx_enc_frame_flags_t flags = m_forceKeyframe ? VPX_EFLAG_FORCE_KF : 0;
        m_forceKeyframe = false;
        // The time since the previous frame, from the capture times (the frame rate's
        // nominal interval when they do not advance, or jump by more than a second).
        qint64 durationMs = m_frameMs;
        if (m_lastCaptureUs != 0 && frame.captureTimeUs > m_lastCaptureUs) {
            const qint64 ms = qint64(frame.captureTimeUs - m_lastCaptureUs + 500) / 1000;
            if (ms >= 1 && ms <= 1000)
                durationMs = ms;
        }
        m_lastCaptureUs = frame.captureTimeUs;
        if (vpx_codec_encode(&m_codec, &m_image, m_pts, static_cast<unsigned long>(durationMs),
                             flags, VPX_DL_REALTIME) != VPX_CODEC_OK)
            return out;
        m_pts += durationMs;
        vpx_codec_iter_t iter = nullptr;
        while (const vpx_codec_cx_pkt_t *pkt = vpx_codec_get_cx_data(&m_codec, &iter)) {
            if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
                continue;
            out.data.append(static_cast<const char *>(pkt->data.frame.buf),
                            qsizetype(pkt->data.frame.sz));
            out.keyframe = out.keyframe || (pkt->data.frame.flags & VPX_FRAME_IS_KEY);
        }
        return out;
    }

    void requestKeyframe() override { m_forceKeyframe = true; }
    quint8 codecId() const override { return MediaPacketHeader::Vp8; }
    int width() const override { return m_width; }
    int height() const override { return m_height; }

    void setBitrate(int kbps) override
    {
        if (!m_open || unsigned(kbps) == m_cfg.rc_target_bitrate || kbps <= 0)
            return;
        m_cfg.rc_target_bitrate = unsigned(kbps);
        vpx_codec_enc_config_set(&m_codec, &m_cfg);
    }

private:
    static bool fail(QString *error, const char *why)
    {
        if (error)
            *error = QString::fromLatin1(why);
        return false;
    }

    vpx_codec_ctx_t m_codec{};
    vpx_image_t m_image{};
    bool m_open = false;
    bool m_forceKeyframe = true;
    int m_width = 0;
    int m_height = 0;
    vpx_codec_pts_t m_pts = 0;
    vpx_codec_enc_cfg_t m_cfg{};
    qint64 m_frameMs = 33;
    quint64 m_lastCaptureUs = 0;
};

constexpr int kMaxDecodedWidth = 1920;
constexpr int kMaxDecodedHeight = 1088;

class Vp8Decoder : public VideoDecoder
{
public:
    Vp8Decoder()
    {
        m_open = vpx_codec_dec_init(&m_codec, vpx_codec_vp8_dx(), nullptr, 0) == VPX_CODEC_OK;
    }
    ~Vp8Decoder() override
    {
        if (m_open)
            vpx_codec_destroy(&m_codec);
    }

    VideoFrame decode(const QByteArray &packet) override
    {
        VideoFrame frame;
        if (!m_open || packet.isEmpty())
            return frame;
        if (vpx_codec_decode(&m_codec, reinterpret_cast<const uint8_t *>(packet.constData()),
                             unsigned(packet.size()), nullptr, 0) != VPX_CODEC_OK)
            return frame;
        vpx_codec_iter_t iter = nullptr;
        const vpx_image_t *img = vpx_codec_get_frame(&m_codec, &iter);
        if (!img || img->fmt != VPX_IMG_FMT_I420)
            return frame;
        // The sender chooses the size: even (I420 conversion needs it) and bounded, so a
        // hostile peer cannot make this side allocate gigabytes.
        const int w = int(img->d_w) & ~1, h = int(img->d_h) & ~1;
        if (w < 2 || h < 2 || w > kMaxDecodedWidth || h > kMaxDecodedHeight)
            return frame;
        try {
            cv::Mat i420(h * 3 / 2, w, CV_8UC1);
            uchar *dst = i420.ptr<uchar>();
            for (int row = 0; row < h; ++row, dst += w)
                memcpy(dst, img->planes[0] + row * img->stride[0], size_t(w));
            for (int plane = 1; plane <= 2; ++plane) {
                for (int row = 0; row < h / 2; ++row, dst += w / 2)
                    memcpy(dst, img->planes[plane] + row * img->stride[plane], size_t(w / 2));
            }
            cv::cvtColor(i420, frame.image, cv::COLOR_YUV2BGR_I420);
        } catch (const std::exception &) { // cv::Exception, bad_alloc: a null frame
            frame.image.release();
        }
        return frame;
    }

private:
    vpx_codec_ctx_t m_codec{};
    bool m_open = false;
};

} // namespace

std::unique_ptr<VideoEncoder> VideoEncoder::createVp8()
{
    return std::make_unique<Vp8Encoder>();
}

std::unique_ptr<VideoDecoder> createVp8Decoder()
{
    return std::make_unique<Vp8Decoder>();
}
