// confab-client-bench: how the message view copes with a long conversation.
//   confab-client-bench --messages 100000 --scroll-steps 300
// Prints the time to open the conversation (model set, first frame painted), the time to
// jump to the newest message, and per-frame paint times while scrolling.
#include "messageview.h"
#include "model/messagelistmodel.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QList<ChatMessage> conversation(int count)
{
    const QStringList senders{QStringLiteral("alice"), QStringLiteral("bob"),
                              QStringLiteral("carol"), QStringLiteral("小明")};
    const QStringList texts{
        QStringLiteral("ok"),
        QStringLiteral("Sounds good, see you at three."),
        QStringLiteral("大家好！今天下午三点开会，请准时参加。"),
        QStringLiteral(
            "A longer message that has to wrap over more than one line in a normal window, "
            "with a link https://example.org/some/where and an emoji 😀 at the end."),
        QStringLiteral("Line one\nLine two\nLine three"),
    };
    QList<ChatMessage> list;
    list.reserve(count);
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - qint64(count) * 20000;
    for (int i = 0; i < count; ++i) {
        ChatMessage m;
        m.seq = i + 1;
        m.from = senders.at((i / 3) % senders.size());
        m.content = texts.at(i % texts.size()) + QStringLiteral(" #%1").arg(i);
        m.timestampMs = start + qint64(i) * 20000;
        list.append(m);
    }
    return list;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(std::min(v.size() - 1, size_t(p * double(v.size()))));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption messages(QStringLiteral("messages"),
                                      QStringLiteral("Messages in the conversation."),
                                      QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption steps(QStringLiteral("scroll-steps"),
                                   QStringLiteral("Frames to scroll."), QStringLiteral("n"),
                                   QStringLiteral("300"));
    parser.addOptions({messages, steps});
    parser.process(app);
    Theme::apply(app, Settings::Theme::Light);

    MessageListModel model;
    const QList<ChatMessage> list = conversation(parser.value(messages).toInt());
    QElapsedTimer fill;
    fill.start();
    model.addMessages(list, QStringLiteral("alice"));
    const double fillMs = fill.nsecsElapsed() / 1e6;

    QWidget window;
    window.resize(820, 640);
    auto *layout = new QVBoxLayout(&window);
    auto *view = new MessageView(&window);
    layout->addWidget(view);
    window.show();
    app.processEvents();

    // Open: set the model and get the first frame on screen.
    QElapsedTimer open;
    open.start();
    view->setModel(&model);
    view->scrollToBottom();
    view->viewport()->repaint();
    app.processEvents();
    const double openMs = open.nsecsElapsed() / 1e6;
    const bool atBottom = view->isAtBottom();

    // Scroll upwards frame by frame, painting each one.
    std::vector<double> frames;
    for (int i = 0; i < parser.value(steps).toInt(); ++i) {
        QElapsedTimer frame;
        frame.start();
        view->scrollBy(-90);
        view->viewport()->repaint();
        frames.push_back(frame.nsecsElapsed() / 1e6);
    }
    // Jump to the very top (the oldest message) and back.
    QElapsedTimer jump;
    jump.start();
    view->scrollToTop();
    view->viewport()->repaint();
    view->scrollToBottom();
    view->viewport()->repaint();
    const double jumpMs = jump.nsecsElapsed() / 1e6;

    double sum = 0;
    for (double f : frames)
        sum += f;
    std::printf("messages            %lld\n", qlonglong(model.rowCount()));
    std::printf("fill model          %.1f ms\n", fillMs);
    std::printf("open (first frame)  %.1f ms (at newest message: %s)\n", openMs,
                atBottom ? "yes" : "no");
    std::printf("scroll frame        mean %.2f ms, p95 %.2f ms, max %.2f ms over %zu frames (%.0f "
                "fps possible)\n",
                sum / double(frames.size()), percentile(frames, 0.95), percentile(frames, 1.0),
                frames.size(), 1000.0 / std::max(0.001, percentile(frames, 0.95)));
    std::printf("jump top and back   %.1f ms\n", jumpMs);
    return 0;
}
