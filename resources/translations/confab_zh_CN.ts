<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatController</name>
    <message>
        <source>%1 (private)</source>
        <translation>%1（私聊）</translation>
    </message>
    <message>
        <source>%1 mentioned you</source>
        <translation>%1 提到了你</translation>
    </message>
</context>
<context>
    <name>ClientOptions</name>
    <message>
        <source>Confab: chat with voice and video calls.</source>
        <translation>Confab：支持语音和视频通话的聊天。</translation>
    </message>
    <message>
        <source>Host a server on this computer (optionally: --host PORT, default 8080) and join it.</source>
        <translation>在本机运行服务器并加入（可选：--host 端口，默认 8080）。</translation>
    </message>
    <message>
        <source>Port for --host.</source>
        <translation>--host 使用的端口。</translation>
    </message>
    <message>
        <source>Server to join, e.g. ws://host:8080.</source>
        <translation>要加入的服务器，例如 ws://host:8080。</translation>
    </message>
    <message>
        <source>Your name.</source>
        <translation>你的名字。</translation>
    </message>
    <message>
        <source>system, light or dark.</source>
        <translation>system、light 或 dark。</translation>
    </message>
    <message>
        <source>en or zh_CN (default: the system&apos;s).</source>
        <translation>en 或 zh_CN（默认跟随系统）。</translation>
    </message>
    <message>
        <source>History file when hosting.</source>
        <translation>本机托管时的历史记录文件。</translation>
    </message>
    <message>
        <source>Quit after this many milliseconds (for checks).</source>
        <translation>在指定毫秒后退出（用于检查）。</translation>
    </message>
</context>
<context>
    <name>ComposeEdit</name>
    <message>
        <source>Write a message… (@ completes a name)</source>
        <translation>输入消息…（输入 @ 可补全名字）</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>Lobby</source>
        <translation>大厅</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Confab — Log in</source>
        <translation>Confab — 登录</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Welcome to Confab&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;欢迎使用 Confab&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Join a server, or host one on this computer so others on your network can join you.</source>
        <translation>加入一个服务器，或者在本机运行一个，让同一网络中的其他人加入你。</translation>
    </message>
    <message>
        <source>host, host:port or ws://host:port</source>
        <translation>主机、主机:端口 或 ws://主机:端口</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>你的名字</translation>
    </message>
    <message>
        <source>Host on this computer</source>
        <translation>在本机托管</translation>
    </message>
    <message>
        <source>port </source>
        <translation>端口 </translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>服务器(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名字(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Enter a name so others know who you are.</source>
        <translation>请输入名字，让别人知道你是谁。</translation>
    </message>
    <message>
        <source>That name is too long: use at most 32 characters.</source>
        <translation>名字太长：最多 32 个字符。</translation>
    </message>
    <message>
        <source>Names may use letters, digits, &apos;_&apos;, &apos;-&apos; and &apos;.&apos;, and start with a letter or digit (no spaces).</source>
        <translation>名字可以使用字母、数字、“_”、“-”和“.”，须以字母或数字开头（不能有空格）。</translation>
    </message>
    <message>
        <source>Could not start the server on this computer: %1
Choose another port.</source>
        <translation>无法在本机启动服务器：%1
请换一个端口。</translation>
    </message>
    <message>
        <source>hosting is not available</source>
        <translation>无法托管</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Someone online already uses the name &apos;%1&apos;. Choose another name.</source>
        <translation>在线用户中已有人使用“%1”这个名字，请换一个。</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1 (%2).
Check the address and that the server is running, or choose &quot;Host on this computer&quot;.</source>
        <translation>无法连接到服务器 %1（%2）。
请检查地址以及服务器是否在运行，或选择“在本机托管”。</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>无响应</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Search (Ctrl+K)</source>
        <translation>搜索（Ctrl+K）</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>发送（Enter）</translation>
    </message>
    <message>
        <source>Calls are not available in this version yet.</source>
        <translation>此版本暂不支持通话。</translation>
    </message>
    <message>
        <source>&amp;Confab</source>
        <translation>Confab(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Follow the &amp;system</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language is used from the next start of Confab.</source>
        <translation>新语言将在下次启动 Confab 时生效。</translation>
    </message>
    <message>
        <source>Send with Ctrl+&amp;Enter</source>
        <translation>使用 Ctrl+Enter 发送(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Confab</source>
        <translation>关于 Confab(&amp;A)</translation>
    </message>
    <message>
        <source>About Confab</source>
        <translation>关于 Confab</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Confab %1&lt;/h3&gt;&lt;p&gt;Chat with voice and video calls.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Confab %1&lt;/h3&gt;&lt;p&gt;支持语音和视频通话的聊天。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Write to everyone… (@name for a private message)</source>
        <translation>发给所有人…（@名字 发送私聊）</translation>
    </message>
    <message>
        <source>Write to %1 privately…</source>
        <translation>私聊 %1…</translation>
    </message>
    <message>
        <source>Hosting — others on your network join at %1</source>
        <translation>正在托管 — 同一网络中的人可通过 %1 加入</translation>
    </message>
    <message numerus="yes">
        <source>%n online</source>
        <translation><numerusform>%n 人在线</numerusform></translation>
    </message>
    <message>
        <source>online, private conversation</source>
        <translation>在线，私聊</translation>
    </message>
    <message>
        <source>offline, private conversation</source>
        <translation>离线，私聊</translation>
    </message>
    <message>
        <source>Online (%1)</source>
        <translation>在线（%1）</translation>
    </message>
    <message>
        <source>Confab — %1 @ %2</source>
        <translation>Confab — %1 @ %2</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s… — messages will be sent when back</source>
        <translation><numerusform>%n 秒后重新连接… — 恢复后会发送消息</numerusform></translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>Offline — messages will be sent when back</source>
        <translation>离线 — 恢复连接后会发送消息</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 正在输入…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n other(s) are typing…</source>
        <translation><numerusform>%1 和另外 %n 人正在输入…</numerusform></translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>Not sent — Retry</source>
        <translation>未发送 — 重试</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
</context>
<context>
    <name>ServerAddress</name>
    <message>
        <source>Enter the server&apos;s address.</source>
        <translation>请输入服务器地址。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a server address. Use host, host:port or ws://host:port.</source>
        <translation>“%1”不是服务器地址。请使用 主机、主机:端口 或 ws://主机:端口。</translation>
    </message>
</context>
<context>
    <name>TrayNotifier</name>
    <message numerus="yes">
        <source>Confab — %n unread</source>
        <translation><numerusform>Confab — %n 条未读</numerusform></translation>
    </message>
</context>
<context>
    <name>UserDelegate</name>
    <message>
        <source>%1 (you)</source>
        <translation>%1（你）</translation>
    </message>
</context>
</TS>
