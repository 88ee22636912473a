#pragma once

#include <QListView>

class MessageDelegate;

// The message list: keeps to the newest message while the user is at the bottom, keeps the
// user's place when older history is inserted above, and asks for more when scrolled to the
// top. Only visible rows are painted (QListView), so long conversations stay fast.
class MessageView : public QListView
{
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    bool isAtBottom() const;

signals:
    void nearTop();
    void retryRequested(const QString &clientId);

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void beforeInsert(const QModelIndex &parent, int first, int last);
    void afterInsert(const QModelIndex &parent, int first, int last);

    MessageDelegate *m_delegate;
    bool m_stickToBottom = true;
    int m_distanceFromBottom = -1;
};
