<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountMenu</name>
    <message>
        <source>&amp;Account</source>
        <translation>账户(&amp;A)</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>更改密码(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Devices…</source>
        <translation>设备(&amp;D)…</translation>
    </message>
    <message>
        <source>Create an &amp;invite…</source>
        <translation>创建邀请(&amp;I)…</translation>
    </message>
    <message>
        <source>Sign &amp;in or create an account…</source>
        <translation>登录或创建账户(&amp;I)…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>Invite code (copied to the clipboard):</source>
        <translation>邀请码（已复制到剪贴板）：</translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;&lt;tt style=&apos;font-size:large&apos;&gt;%1&lt;/tt&gt;&lt;/p&gt;&lt;p&gt;It lets %n person(s) create an account on this server until %2.&lt;/p&gt;</source>
        <translation><numerusform>&lt;p&gt;&lt;tt style='font-size:large'&gt;%1&lt;/tt&gt;&lt;/p&gt;&lt;p&gt;在 %2 之前，可供 %n 人在此服务器上创建账户。&lt;/p&gt;</numerusform></translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>已以 %1 的身份登录</translation>
    </message>
    <message>
        <source>%1 (guest)</source>
        <translation>%1（访客）</translation>
    </message>
    <message>
        <source>How many people may use this invite?</source>
        <translation>这个邀请可供多少人使用？</translation>
    </message>
    <message>
        <source>Invite</source>
        <translation>邀请</translation>
    </message>
</context>
<context>
    <name>AudioCapture</name>
    <message>
        <source>Test tone</source>
        <translation>测试音</translation>
    </message>
    <message>
        <source>Sound file %1</source>
        <translation>声音文件 %1</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>No microphone found. Plug one in and choose it in the call window&apos;s device menu; the other side cannot hear you meanwhile.</source>
        <translation>未找到麦克风。请插入麦克风并在通话窗口的设备菜单中选择它；在此之前对方听不到你的声音。</translation>
    </message>
    <message>
        <source>The chosen microphone is not connected. Choose another one in the call window&apos;s device menu.</source>
        <translation>所选麦克风未连接。请在通话窗口的设备菜单中选择其他麦克风。</translation>
    </message>
    <message>
        <source>The microphone %1 cannot record 48 kHz mono audio.</source>
        <translation>麦克风 %1 无法录制 48 kHz 单声道音频。</translation>
    </message>
    <message>
        <source>The microphone %1 cannot be opened: it may be busy in another program, or access to it was refused in the system&apos;s privacy settings.</source>
        <translation>无法打开麦克风 %1：它可能正被其他程序使用，或在系统隐私设置中被拒绝访问。</translation>
    </message>
    <message>
        <source>The microphone %1 stopped working (unplugged?).</source>
        <translation>麦克风 %1 停止工作（已拔出？）。</translation>
    </message>
    <message>
        <source>The sound source ended.</source>
        <translation>声音来源已结束。</translation>
    </message>
</context>
<context>
    <name>AudioPipeline</name>
    <message>
        <source>The voice encoder cannot start: %1</source>
        <translation>语音编码器无法启动：%1</translation>
    </message>
</context>
<context>
    <name>AudioPlayback</name>
    <message>
        <source>No sound output</source>
        <translation>无声音输出</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>No speaker or headphones found: you will not hear the other side. Plug some in and choose them in the call window&apos;s device menu.</source>
        <translation>未找到扬声器或耳机：你将听不到对方。请插入设备并在通话窗口的设备菜单中选择。</translation>
    </message>
    <message>
        <source>The speaker %1 cannot be opened: it may be busy in another program.</source>
        <translation>无法打开扬声器 %1：它可能正被其他程序使用。</translation>
    </message>
    <message>
        <source>The chosen speaker is not connected: you will not hear the other side. Choose another one in the call window&apos;s device menu.</source>
        <translation>所选扬声器未连接：你将听不到对方。请在通话窗口的设备菜单中选择其他扬声器。</translation>
    </message>
    <message>
        <source>The speaker %1 stopped working (unplugged?): you will not hear the other side. Choose another one in the call window&apos;s device menu.</source>
        <translation>扬声器 %1 停止工作（已拔出？）：你将听不到对方。请在通话窗口的设备菜单中选择其他扬声器。</translation>
    </message>
</context>
<context>
    <name>CallCoordinator</name>
    <message>
        <source>You are already in a call. Hang up first.</source>
        <translation>你正在通话中，请先挂断。</translation>
    </message>
    <message>
        <source>%1 cannot be called now: you are offline.</source>
        <translation>现在无法呼叫 %1：你处于离线状态。</translation>
    </message>
    <message>
        <source>%1 is calling you (video).</source>
        <translation>%1 正在呼叫你（视频）。</translation>
    </message>
    <message>
        <source>%1 is calling you.</source>
        <translation>%1 正在呼叫你。</translation>
    </message>
</context>
<context>
    <name>CallLauncher</name>
    <message>
        <source>%1 called you, but calls are not available here: %2</source>
        <translation>%1 呼叫了你，但本机无法通话：%2</translation>
    </message>
    <message>
        <source>Calls are not available: %1</source>
        <translation>无法通话：%1</translation>
    </message>
</context>
<context>
    <name>CallSession</name>
    <message>
        <source>%1 declined the call.</source>
        <translation>%1 拒绝了通话。</translation>
    </message>
    <message>
        <source>%1 is in another call. Try again later.</source>
        <translation>%1 正在另一个通话中，请稍后再试。</translation>
    </message>
    <message>
        <source>Missed call from %1.</source>
        <translation>来自 %1 的未接来电。</translation>
    </message>
    <message>
        <source>%1 did not answer.</source>
        <translation>%1 未接听。</translation>
    </message>
    <message>
        <source>The call with %1 ended: their connection was lost.</source>
        <translation>与 %1 的通话已结束：对方连接中断。</translation>
    </message>
    <message>
        <source>%1 hung up.</source>
        <translation>%1 已挂断。</translation>
    </message>
    <message>
        <source>%1 is not online.</source>
        <translation>%1 不在线。</translation>
    </message>
    <message>
        <source>The call could not be made: %1</source>
        <translation>无法发起通话：%1</translation>
    </message>
    <message>
        <source>The call ended: the connection to the server was lost.</source>
        <translation>通话已结束：与服务器的连接中断。</translation>
    </message>
    <message>
        <source>%1&apos;s app cannot show any video format this app sends; the call goes on with voice only.</source>
        <translation>%1 的应用无法显示本应用发送的任何视频格式；通话将仅以语音继续。</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <source>Your camera. Click to move it to another corner.</source>
        <translation>你的摄像头画面。点击可移到另一个角落。</translation>
    </message>
    <message>
        <source>Waiting for statistics…</source>
        <translation>正在等待统计信息…</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>Mute your microphone (M)</source>
        <translation>将麦克风静音（M）</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>关闭摄像头</translation>
    </message>
    <message>
        <source>Turn your camera off or on (V)</source>
        <translation>关闭或打开摄像头（V）</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Choose the camera, microphone and speaker</source>
        <translation>选择摄像头、麦克风和扬声器</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>挂断</translation>
    </message>
    <message>
        <source>End the call (Esc, Ctrl+W)</source>
        <translation>结束通话（Esc、Ctrl+W）</translation>
    </message>
    <message>
        <source>Call ended.</source>
        <translation>通话已结束。</translation>
    </message>
    <message>
        <source>Ringing %1…</source>
        <translation>正在呼叫 %1（对方响铃中）…</translation>
    </message>
    <message>
        <source>Calling %1…</source>
        <translation>正在呼叫 %1…</translation>
    </message>
    <message>
        <source>%1 is calling</source>
        <translation>%1 来电</translation>
    </message>
    <message>
        <source>Call with %1 — %2</source>
        <translation>与 %1 通话 — %2</translation>
    </message>
    <message>
        <source>Call with %1</source>
        <translation>与 %1 通话</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>打开摄像头</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 帧/秒</translation>
    </message>
    <message>
        <source>%1 kbit/s</source>
        <translation>%1 kbit/s</translation>
    </message>
    <message>
        <source>loss %1%</source>
        <translation>丢包 %1%</translation>
    </message>
    <message>
        <source>jitter buffer %1 ms</source>
        <translation>抖动缓冲 %1 毫秒</translation>
    </message>
    <message>
        <source>video %1 ms</source>
        <translation>视频 %1 毫秒</translation>
    </message>
    <message>
        <source>audio %1 ms</source>
        <translation>音频 %1 毫秒</translation>
    </message>
    <message>
        <source>sending %1 fps, %2 kbit/s</source>
        <translation>发送 %1 帧/秒，%2 kbit/s</translation>
    </message>
    <message>
        <source>estimate %1 kbit/s, step %2 of %3 (%4)</source>
        <translation>估计带宽 %1 kbit/s，第 %2/%3 档（%4）</translation>
    </message>
    <message>
        <source>estimate %1 kbit/s</source>
        <translation>估计带宽 %1 kbit/s</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Default camera</source>
        <translation>默认摄像头</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <source>Default microphone</source>
        <translation>默认麦克风</translation>
    </message>
    <message>
        <source>Test tone</source>
        <translation>测试音</translation>
    </message>
    <message>
        <source>Default speaker</source>
        <translation>默认扬声器</translation>
    </message>
    <message>
        <source>No sound</source>
        <translation>无声音</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>Call statistics (I shows or hides them)</source>
        <translation>通话统计（按 I 显示或隐藏）</translation>
    </message>
    <message>
        <source>%1 is muted and the camera is off</source>
        <translation>%1 已静音，摄像头已关闭</translation>
    </message>
    <message>
        <source>%1 is muted</source>
        <translation>%1 已静音</translation>
    </message>
    <message>
        <source>%1&apos;s camera is off</source>
        <translation>%1 的摄像头已关闭</translation>
    </message>
    <message>
        <source>voice only</source>
        <translation>仅语音</translation>
    </message>
    <message>
        <source>no video: camera off</source>
        <translation>无视频：摄像头已关闭</translation>
    </message>
    <message>
        <source>no video</source>
        <translation>无视频</translation>
    </message>
    <message>
        <source>Voice processing</source>
        <translation>语音处理</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>回声消除</translation>
    </message>
    <message>
        <source>Noise suppression</source>
        <translation>降噪</translation>
    </message>
    <message>
        <source>Automatic gain</source>
        <translation>自动增益</translation>
    </message>
    <message>
        <source>High-pass filter</source>
        <translation>高通滤波</translation>
    </message>
    <message>
        <source>Video of %1</source>
        <translation>%1 的视频</translation>
    </message>
    <message>
        <source>Your camera</source>
        <translation>你的摄像头</translation>
    </message>
</context>
<context>
    <name>CertificateDialog</name>
    <message>
        <source>&lt;b&gt;The certificate of %1 has changed.&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1 的证书已更改。&lt;/b&gt;</translation>
    </message>
    <message>
        <source>It is not the certificate you accepted before. Someone may be intercepting the connection, or the server&apos;s owner made a new one.&lt;br&gt;&lt;br&gt;New fingerprint:&lt;br&gt;%1&lt;br&gt;&lt;br&gt;Connect only if the server&apos;s owner confirms this fingerprint.</source>
        <translation>这不是你之前接受的证书。可能有人正在拦截连接，也可能是服务器的所有者生成了新证书。&lt;br&gt;&lt;br&gt;新指纹：&lt;br&gt;%1&lt;br&gt;&lt;br&gt;请仅在服务器所有者确认此指纹后再连接。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 uses a certificate that no authority vouches for.&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1 使用的证书未经任何证书颁发机构认证。&lt;/b&gt;</translation>
    </message>
    <message>
        <source>That is usual for a server someone hosts on their own computer. Compare its fingerprint with the one its owner sees (next to the address in their Confab window):&lt;br&gt;&lt;br&gt;%1&lt;br&gt;&lt;br&gt;If they match, Confab remembers this certificate and warns you if it ever changes.</source>
        <translation>在个人电脑上托管的服务器通常如此。请将它的指纹与服务器所有者看到的指纹（在其 Confab 窗口中的地址旁边）进行比对：&lt;br&gt;&lt;br&gt;%1&lt;br&gt;&lt;br&gt;如果两者一致，Confab 会记住此证书，并在它发生变化时提醒你。</translation>
    </message>
    <message>
        <source>Trust the new certificate</source>
        <translation>信任新证书</translation>
    </message>
    <message>
        <source>Trust and connect</source>
        <translation>信任并连接</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Certificate changed</source>
        <translation>证书已更改</translation>
    </message>
    <message>
        <source>Unknown certificate</source>
        <translation>未知证书</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>at least %1 characters</source>
        <translation>至少 %1 个字符</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>当前密码(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>确认密码(&amp;R)：</translation>
    </message>
    <message>
        <source>Your other devices will be signed out and need the new password.</source>
        <translation>你的其他设备将退出登录，需要用新密码重新登录。</translation>
    </message>
    <message>
        <source>C&amp;hange</source>
        <translation>更改(&amp;H)</translation>
    </message>
    <message numerus="yes">
        <source>Password changed; %n other device(s) signed out.</source>
        <translation><numerusform>密码已更改；%n 台其他设备已退出登录。</numerusform></translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>当前密码不正确。</translation>
    </message>
    <message>
        <source>The new password needs at least %1 characters.</source>
        <translation>新密码至少需要 %1 个字符。</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong passwords: wait %n second(s).</source>
        <translation><numerusform>密码错误次数过多：请等待 %n 秒。</numerusform></translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>Not connected: try again when Confab is online.</source>
        <translation>未连接：请在 Confab 恢复在线后重试。</translation>
    </message>
    <message>
        <source>Changing…</source>
        <translation>正在更改…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
</context>
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
    <message>
        <source>That message no longer exists.</source>
        <translation>该消息已不存在。</translation>
    </message>
    <message>
        <source>You can only change your own messages.</source>
        <translation>只能修改你自己的消息。</translation>
    </message>
    <message>
        <source>That message was deleted.</source>
        <translation>该消息已被删除。</translation>
    </message>
    <message>
        <source>You are sending too fast; wait a moment and try again.</source>
        <translation>发送太快了，请稍等片刻再试。</translation>
    </message>
    <message>
        <source>That message has as many reactions as allowed.</source>
        <translation>这条消息的回应已达上限。</translation>
    </message>
    <message>
        <source>A reaction must be a single emoji.</source>
        <translation>回应必须是单个表情。</translation>
    </message>
</context>
<context>
    <name>ClientApp</name>
    <message>
        <source>Sign-in kept in %1 (no keychain service; readable only by you)</source>
        <translation>登录凭据保存在 %1（没有钥匙串服务；仅你本人可读取）</translation>
    </message>
    <message>
        <source>Enter your password to sign in.</source>
        <translation>请输入密码登录。</translation>
    </message>
    <message>
        <source>You signed out.</source>
        <translation>你已退出登录。</translation>
    </message>
    <message>
        <source>This device was signed out of your account (from another device, or by a password change). Sign in again.</source>
        <translation>此设备已退出你的账户（在另一台设备上操作，或因为密码已更改）。请重新登录。</translation>
    </message>
    <message>
        <source>Your account was disabled by the server&apos;s administrator.</source>
        <translation>你的账户已被服务器管理员停用。</translation>
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
    <message>
        <source>Camera for calls: test-pattern, file:PATH (a video), camera (the default) or camera:ID.</source>
        <translation>通话使用的摄像头：test-pattern、file:路径（视频文件）、camera（默认）或 camera:ID。</translation>
    </message>
    <message>
        <source>Microphone for calls: tone, file:PATH (a WAV file), mic (the default) or mic:ID.</source>
        <translation>通话使用的麦克风：tone、file:路径（WAV 文件）、mic（默认）或 mic:ID。</translation>
    </message>
    <message>
        <source>Sound output for calls: speaker (the default), speaker:ID or none.</source>
        <translation>通话使用的声音输出：speaker（默认）、speaker:ID 或 none。</translation>
    </message>
    <message>
        <source>Video codec for calls: vp8 or jpeg.</source>
        <translation>通话使用的视频编码：vp8 或 jpeg。</translation>
    </message>
</context>
<context>
    <name>ComposeBanner</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ComposeEdit</name>
    <message>
        <source>Write a message… (@ completes a name)</source>
        <translation>输入消息…（输入 @ 可补全名字）</translation>
    </message>
    <message>
        <source>Reply to %1</source>
        <translation>回复 %1</translation>
    </message>
    <message>
        <source>Editing message</source>
        <translation>正在编辑消息</translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message>
        <source>Draft:</source>
        <translation>草稿：</translation>
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
    <name>DeviceSpec</name>
    <message>
        <source>Unknown camera &quot;%1&quot;: use test-pattern, file:PATH, camera or camera:ID.</source>
        <translation>未知的摄像头“%1”：请使用 test-pattern、file:路径、camera 或 camera:ID。</translation>
    </message>
    <message>
        <source>Unknown microphone &quot;%1&quot;: use tone, file:PATH, mic or mic:ID.</source>
        <translation>未知的麦克风“%1”：请使用 tone、file:路径、mic 或 mic:ID。</translation>
    </message>
    <message>
        <source>Unknown speaker &quot;%1&quot;: use none, speaker or speaker:ID.</source>
        <translation>未知的扬声器“%1”：请使用 none、speaker 或 speaker:ID。</translation>
    </message>
</context>
<context>
    <name>DevicesDialog</name>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>登录时间</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>上次使用</translation>
    </message>
    <message>
        <source>Sign out &amp;all other devices</source>
        <translation>将其他所有设备退出登录(&amp;A)</translation>
    </message>
    <message>
        <source>Signing out %1…</source>
        <translation>正在将 %1 退出登录…</translation>
    </message>
    <message>
        <source>Sign out all other devices</source>
        <translation>将其他所有设备退出登录</translation>
    </message>
    <message>
        <source>Every other device signed in to your account will need the password again. Continue?</source>
        <translation>登录你账户的其他所有设备都需要重新输入密码。要继续吗？</translation>
    </message>
    <message>
        <source>Signing out the other devices…</source>
        <translation>正在将其他设备退出登录…</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) signed out.</source>
        <translation><numerusform>%n 台设备已退出登录。</numerusform></translation>
    </message>
    <message>
        <source>Not connected: the list shows when Confab is online.</source>
        <translation>未连接：Confab 恢复在线后会显示列表。</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1（本设备）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>&amp;Sign out the selected device</source>
        <translation>将所选设备退出登录(&amp;S)</translation>
    </message>
</context>
<context>
    <name>EmojiPicker</name>
    <message>
        <source>Smileys</source>
        <translation>笑脸</translation>
    </message>
    <message>
        <source>People and gestures</source>
        <translation>人物和手势</translation>
    </message>
    <message>
        <source>Hearts and symbols</source>
        <translation>爱心和符号</translation>
    </message>
    <message>
        <source>Animals and nature</source>
        <translation>动物和自然</translation>
    </message>
    <message>
        <source>Food and drink</source>
        <translation>食物和饮料</translation>
    </message>
    <message>
        <source>Activities and objects</source>
        <translation>活动和物品</translation>
    </message>
</context>
<context>
    <name>FileTransfers</name>
    <message>
        <source>This server does not take files.</source>
        <translation>此服务器不接收文件。</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <source>%1 is empty.</source>
        <translation>%1 是空文件。</translation>
    </message>
    <message>
        <source>%1 is %2; this server takes files up to %3.</source>
        <translation>%1 大小为 %2；此服务器只接收不超过 %3 的文件。</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 changed while it was sent.</source>
        <translation>%1 在发送过程中被修改了。</translation>
    </message>
    <message>
        <source>The server sent more than the file.</source>
        <translation>服务器发来的数据超出了文件大小。</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1 cannot be written.</source>
        <translation>无法写入 %1。</translation>
    </message>
</context>
<context>
    <name>FileVideoSource</name>
    <message>
        <source>Video file %1</source>
        <translation>视频文件 %1</translation>
    </message>
    <message>
        <source>The video file %1 does not exist.</source>
        <translation>视频文件 %1 不存在。</translation>
    </message>
    <message>
        <source>The video file %1 has no readable frames.</source>
        <translation>视频文件 %1 中没有可读取的画面。</translation>
    </message>
    <message>
        <source>the library path</source>
        <translation>库路径</translation>
    </message>
    <message>
        <source>%1 is not a module of this version</source>
        <translation>%1 不是此版本的模块</translation>
    </message>
    <message>
        <source>%1 was not found in %2</source>
        <translation>在 %2 中找不到 %1</translation>
    </message>
    <message>
        <source>The video file %1 cannot be read: %2.</source>
        <translation>无法读取视频文件 %1：%2。</translation>
    </message>
    <message>
        <source>The video file %1 has no readable frames: %2.</source>
        <translation>视频文件 %1 没有可读取的画面：%2。</translation>
    </message>
    <message>
        <source>Install the confab-videofile package to play video files as a camera.</source>
        <translation>安装 confab-videofile 软件包即可把视频文件用作摄像头。</translation>
    </message>
    <message>
        <source>Reinstalling Confab should bring it back.</source>
        <translation>重新安装 Confab 即可恢复。</translation>
    </message>
    <message>
        <source>The video file %1 cannot be played: Confab&apos;s video file module is missing or cannot be loaded (%2). %3</source>
        <translation>无法播放视频文件 %1：Confab 的视频文件模块缺失或无法加载（%2）。%3</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <source>This is not an image Confab can show.</source>
        <translation>这不是 Confab 能显示的图片。</translation>
    </message>
    <message>
        <source>The image is too large to show (%1 × %2).</source>
        <translation>图片太大，无法显示（%1 × %2）。</translation>
    </message>
</context>
<context>
    <name>IncomingCallDialog</name>
    <message>
        <source>Incoming call</source>
        <translation>来电</translation>
    </message>
    <message>
        <source>%1 is calling</source>
        <translation>%1 来电</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>视频通话</translation>
    </message>
    <message>
        <source>Voice call</source>
        <translation>语音通话</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接听</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>&lt;h2&gt;Welcome to Confab&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;欢迎使用 Confab&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Join a server, or host one on this computer so others on your network can join you.</source>
        <translation>加入一个服务器，或者在本机运行一个，让同一网络中的其他人加入你。</translation>
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
    <message>
        <source>host, host:port or wss://host:port</source>
        <translation>主机、主机:端口 或 wss://主机:端口</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Create account</source>
        <translation>创建账户</translation>
    </message>
    <message>
        <source>Continue as guest</source>
        <translation>以访客身份继续</translation>
    </message>
    <message>
        <source>from the server&apos;s administrator</source>
        <translation>向服务器管理员索取</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>确认密码(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Invite code:</source>
        <translation>邀请码(&amp;I)：</translation>
    </message>
    <message>
        <source>Enter your password: this computer has no sign-in kept for %1 on this server.</source>
        <translation>请输入密码：本机没有保存 %1 在此服务器上的登录凭据。</translation>
    </message>
    <message>
        <source>The keychain did not give the saved sign-in (%1). Enter your password.</source>
        <translation>无法从钥匙串取得保存的登录凭据（%1）。请输入密码。</translation>
    </message>
    <message>
        <source>if the server asks for one</source>
        <translation>服务器要求时填写</translation>
    </message>
    <message>
        <source>empty: use this computer&apos;s saved sign-in</source>
        <translation>留空：使用本机保存的登录凭据</translation>
    </message>
    <message>
        <source>at least %1 characters</source>
        <translation>至少 %1 个字符</translation>
    </message>
    <message>
        <source>Guests use any name no account holds; their private messages are not kept for them after they leave.</source>
        <translation>访客可以使用任何未被账户占用的名字；访客离开后，其私聊消息不会保留。</translation>
    </message>
    <message>
        <source>This server does not accept new accounts; ask its administrator.</source>
        <translation>此服务器不接受注册新账户；请联系其管理员。</translation>
    </message>
    <message>
        <source>Your password is not stored: this computer keeps a sign-in you can revoke from any of your devices.</source>
        <translation>你的密码不会被保存：本机只保存一个登录凭据，你可以在自己的任何一台设备上将其撤销。</translation>
    </message>
    <message>
        <source>Names may use letters and digits of one script, and &apos;_&apos;, &apos;-&apos; and &apos;.&apos;; they start with a letter or digit (no spaces, no symbols).</source>
        <translation>名字可以使用同一种文字的字母和数字，以及“_”、“-”和“.”；须以字母或数字开头（不能有空格或符号）。</translation>
    </message>
    <message>
        <source>Choose a password of at least %1 characters.</source>
        <translation>请设置至少 %1 个字符的密码。</translation>
    </message>
    <message>
        <source>The two passwords differ: type the same password twice.</source>
        <translation>两次输入的密码不一致：请输入两次相同的密码。</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; belongs to a registered account. Sign in with its password, or choose another name.</source>
        <translation>“%1”属于一个已注册的账户。请用它的密码登录，或换一个名字。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; looks like the name of someone else on this server. Choose another name.</source>
        <translation>“%1”与此服务器上其他人的名字太相似。请换一个名字。</translation>
    </message>
    <message>
        <source>The name or the password is wrong.</source>
        <translation>名字或密码不正确。</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins. Wait %n second(s) and try again.</source>
        <translation><numerusform>登录失败次数过多。请等待 %n 秒后重试。</numerusform></translation>
    </message>
    <message>
        <source>This computer&apos;s sign-in for %1 is no longer valid (signed out from another device, or unused for too long). Enter your password.</source>
        <translation>本机为 %1 保存的登录凭据已失效（已在另一台设备上退出登录，或太久未使用）。请输入密码。</translation>
    </message>
    <message>
        <source>This server does not accept new accounts. Sign in, or continue as a guest if the server allows it.</source>
        <translation>此服务器不接受注册新账户。请登录；如果服务器允许，也可以以访客身份继续。</translation>
    </message>
    <message>
        <source>This server needs an invite code to create an account: ask its administrator for one.</source>
        <translation>在此服务器上创建账户需要邀请码：请向其管理员索取。</translation>
    </message>
    <message>
        <source>That invite code is not valid: it is unknown, used up or expired.</source>
        <translation>该邀请码无效：它不存在、已用完或已过期。</translation>
    </message>
    <message>
        <source>This server does not allow guests: sign in or create an account.</source>
        <translation>此服务器不允许访客：请登录或创建账户。</translation>
    </message>
    <message>
        <source>This account is disabled. Ask the server&apos;s administrator.</source>
        <translation>此账户已被停用。请联系服务器管理员。</translation>
    </message>
    <message>
        <source>Not connected: the certificate of %1 changed and you did not accept the new one.</source>
        <translation>未连接：%1 的证书已更改，而你没有接受新证书。</translation>
    </message>
    <message>
        <source>Not connected: you did not accept the certificate of %1.</source>
        <translation>未连接：你没有接受 %1 的证书。</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
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
    <message>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <source>Start a video call</source>
        <translation>发起视频通话</translation>
    </message>
    <message>
        <source>Missed call</source>
        <translation>未接来电</translation>
    </message>
    <message>
        <source>Calls are not available in this build.</source>
        <translation>此版本不支持通话。</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>来电</translation>
    </message>
    <message>
        <source> — certificate %1…%2</source>
        <translation> — 证书 %1…%2</translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256), for those who join to compare:
%1</source>
        <translation>证书指纹（SHA-256），供加入的人比对：
%1</translation>
    </message>
    <message>
        <source>Online — not encrypted</source>
        <translation>在线 — 未加密</translation>
    </message>
    <message>
        <source>Unsent messages are kept in memory only (%1); they are lost if Confab quits.</source>
        <translation>未发送的消息只保存在内存中（%1）；退出 Confab 后会丢失。</translation>
    </message>
    <message>
        <source>1 message is not sent yet. Quit anyway? It will be sent next time.</source>
        <translation>有 1 条消息尚未发送。仍要退出吗？下次启动时会发送。</translation>
    </message>
    <message numerus="yes">
        <source>%n messages are not sent yet. Quit anyway? They will be sent next time.</source>
        <translation><numerusform>有 %n 条消息尚未发送。仍要退出吗？下次启动时会发送。</numerusform></translation>
    </message>
    <message>
        <source>1 message is not sent yet and will be lost. Quit anyway?</source>
        <translation>有 1 条消息尚未发送，退出后会丢失。仍要退出吗？</translation>
    </message>
    <message numerus="yes">
        <source>%n messages are not sent yet and will be lost. Quit anyway?</source>
        <translation><numerusform>有 %n 条消息尚未发送，退出后会丢失。仍要退出吗？</numerusform></translation>
    </message>
    <message>
        <source>Quit Confab</source>
        <translation>退出 Confab</translation>
    </message>
    <message>
        <source>&amp;Quit anyway</source>
        <translation>仍然退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Messages saved on this computer</source>
        <translation>本机保存的消息</translation>
    </message>
    <message>
        <source>No saved messages contain “%1”.</source>
        <translation>没有已保存的消息包含“%1”。</translation>
    </message>
    <message>
        <source>No results for “%1”.</source>
        <translation>没有“%1”的结果。</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Searching for “%1”…</source>
        <translation>正在搜索“%1”…</translation>
    </message>
    <message>
        <source>No messages contain “%1”.</source>
        <translation>没有消息包含“%1”。</translation>
    </message>
    <message>
        <source>That message is too far back to open here.</source>
        <translation>这条消息太早了，无法在此打开。</translation>
    </message>
    <message>
        <source>That message is not saved on this computer; connect to open it.</source>
        <translation>这条消息未保存在本机；请连接后打开。</translation>
    </message>
    <message>
        <source> · showing saved messages</source>
        <translation> · 显示的是已保存的消息</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>private conversation — %1</source>
        <translation>私聊 — %1</translation>
    </message>
    <message>
        <source>Not connected — last seen (%1)</source>
        <translation>未连接 — 最后所见（%1）</translation>
    </message>
    <message>
        <source>%1 @ %2</source>
        <translation>%1 @ %2</translation>
    </message>
    <message>
        <source>1 message is not sent yet and will be lost. Sign out anyway?</source>
        <translation>有 1 条消息尚未发送，将会丢失。仍要退出登录吗？</translation>
    </message>
    <message numerus="yes">
        <source>%n messages are not sent yet and will be lost. Sign out anyway?</source>
        <translation><numerusform>有 %n 条消息尚未发送，将会丢失。仍要退出登录吗？</numerusform></translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>&amp;Sign out anyway</source>
        <translation>仍然退出登录(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Mute notifications</source>
        <translation>静音通知(&amp;M)</translation>
    </message>
    <message>
        <source>Emoji (Ctrl+;)</source>
        <translation>表情（Ctrl+;）</translation>
    </message>
    <message>
        <source>Not connected: the message was not deleted.</source>
        <translation>未连接：消息未删除。</translation>
    </message>
    <message>
        <source>Not connected: the message was not changed.</source>
        <translation>未连接：消息未修改。</translation>
    </message>
    <message>
        <source>The original message is not loaded; scroll up to find it.</source>
        <translation>原消息尚未加载，请向上滚动查找。</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <source>Delete this message for everyone? This cannot be undone.</source>
        <translation>要为所有人删除这条消息吗？此操作无法撤销。</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Not connected: the reaction was not sent.</source>
        <translation>未连接：回应未发送。</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation>找到的消息</translation>
    </message>
    <message>
        <source>Online users</source>
        <translation>在线用户</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>表情</translation>
    </message>
    <message>
        <source>Send a file or image</source>
        <translation>发送文件或图片</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>附加文件</translation>
    </message>
    <message>
        <source>Send files</source>
        <translation>发送文件</translation>
    </message>
    <message>
        <source>Save file</source>
        <translation>保存文件</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>File not sent</source>
        <translation>文件未发送</translation>
    </message>
    <message>
        <source>The pasted picture could not be saved to send it.</source>
        <translation>粘贴的图片无法保存，因此未能发送。</translation>
    </message>
    <message>
        <source>That file is already being downloaded.</source>
        <translation>该文件正在下载中。</translation>
    </message>
</context>
<context>
    <name>MediaLoader</name>
    <message>
        <source>%1 is not Confab&apos;s media module</source>
        <translation>%1 不是 Confab 的媒体模块</translation>
    </message>
    <message>
        <source>%1 was not found (%2); reinstall Confab.</source>
        <translation>未找到 %1（%2）；请重新安装 Confab。</translation>
    </message>
    <message>
        <source>beside the program or in its library folder</source>
        <translation>程序旁和其库文件夹中都没有</translation>
    </message>
    <message>
        <source>$CONFAB_MEDIA_MODULE is %1</source>
        <translation>$CONFAB_MEDIA_MODULE 为 %1</translation>
    </message>
    <message>
        <source>%1 could not be loaded (%2); reinstall Confab.</source>
        <translation>无法加载 %1（%2）；请重新安装 Confab。</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>已读</translation>
    </message>
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
    <message>
        <source>edited %1</source>
        <translation>已编辑 %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 %2 and %n other(s)</source>
        <translation><numerusform>%1 %2 和另外 %n 人</numerusform></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
</context>
<context>
    <name>MessageListModel</name>
    <message>
        <source>Video call, %1</source>
        <translation>视频通话，%1</translation>
    </message>
    <message>
        <source>Voice call, %1</source>
        <translation>语音通话，%1</translation>
    </message>
    <message>
        <source>Video call to %1, not answered</source>
        <translation>视频呼叫 %1，对方未接听</translation>
    </message>
    <message>
        <source>Call to %1, not answered</source>
        <translation>呼叫 %1，对方未接听</translation>
    </message>
    <message>
        <source>Missed video call from %1</source>
        <translation>来自 %1 的未接视频通话</translation>
    </message>
    <message>
        <source>Missed call from %1</source>
        <translation>来自 %1 的未接来电</translation>
    </message>
    <message>
        <source>Video call declined</source>
        <translation>视频通话已拒绝</translation>
    </message>
    <message>
        <source>Call declined</source>
        <translation>通话已拒绝</translation>
    </message>
    <message>
        <source>Video call failed</source>
        <translation>视频通话失败</translation>
    </message>
    <message>
        <source>Call failed</source>
        <translation>通话失败</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>消息已删除</translation>
    </message>
</context>
<context>
    <name>MessageSearchModel</name>
    <message>
        <source>%1 in the room</source>
        <translation>%1 在大厅</translation>
    </message>
    <message>
        <source>%1, privately</source>
        <translation>%1，私聊</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 发给 %2</translation>
    </message>
    <message>
        <source>Today %1</source>
        <translation>今天 %1</translation>
    </message>
    <message>
        <source>Yesterday %1</source>
        <translation>昨天 %1</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy &amp;Text</source>
        <translation>复制文本(&amp;T)</translation>
    </message>
    <message>
        <source>Copy &amp;Link Address</source>
        <translation>复制链接地址(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Reply</source>
        <translation>回复(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Rea&amp;ct</source>
        <translation>回应(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;More…</source>
        <translation>更多(&amp;M)…</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>MessageViewAccessible</name>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>read</source>
        <translation>已读</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>in reply to %1</source>
        <translation>回复 %1</translation>
    </message>
    <message>
        <source>private to %1</source>
        <translation>私聊给 %1</translation>
    </message>
    <message>
        <source>private to you</source>
        <translation>私聊给你</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <source>mentions you</source>
        <translation>提到了你</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>OutboxStore</name>
    <message>
        <source>cannot create the folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <source>cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>%1 was written by a newer version of Confab</source>
        <translation>%1 由较新版本的 Confab 写入</translation>
    </message>
    <message>
        <source>cannot use %1: %2</source>
        <translation>无法使用 %1：%2</translation>
    </message>
    <message>
        <source>not a usable SQLite file</source>
        <translation>不是可用的 SQLite 文件</translation>
    </message>
    <message>
        <source>cannot read %1</source>
        <translation>无法读取 %1</translation>
    </message>
    <message>
        <source>cannot write to %1</source>
        <translation>无法写入 %1</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>cannot write to %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>cannot rewrite %1</source>
        <translation>无法重写 %1</translation>
    </message>
</context>
<context>
    <name>QtCameraSource</name>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>No camera found. Plug one in (the call picks it up), or continue with audio only.</source>
        <translation>未找到摄像头。请插入一个（通话会自动使用它），或仅以语音继续。</translation>
    </message>
    <message>
        <source>The chosen camera is not connected. Choose another one in the call window&apos;s device menu.</source>
        <translation>所选摄像头未连接。请在通话窗口的设备菜单中选择其他摄像头。</translation>
    </message>
    <message>
        <source>The camera cannot be used: %1. It may be busy in another program, or access to it was refused in the system&apos;s privacy settings.</source>
        <translation>无法使用摄像头：%1。它可能正被其他程序使用，或在系统隐私设置中被拒绝访问。</translation>
    </message>
    <message>
        <source>The camera %1 was unplugged.</source>
        <translation>摄像头 %1 已被拔出。</translation>
    </message>
</context>
<context>
    <name>RecipientChip</name>
    <message>
        <source>@ Public, mentions %1</source>
        <translation>@ 公开，提到 %1</translation>
    </message>
    <message>
        <source>🔒 Private to %1</source>
        <translation>🔒 仅发给 %1</translation>
    </message>
    <message>
        <source>Make private</source>
        <translation>改为私聊</translation>
    </message>
    <message>
        <source>Make public</source>
        <translation>改为公开</translation>
    </message>
    <message>
        <source>Send only to %1, as a private message</source>
        <translation>作为私聊只发给 %1</translation>
    </message>
    <message>
        <source>Send to everyone in the room, mentioning %1</source>
        <translation>发给房间里的所有人，并提到 %1</translation>
    </message>
</context>
<context>
    <name>ServerAddress</name>
    <message>
        <source>Enter the server&apos;s address.</source>
        <translation>请输入服务器地址。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a server address. Use host, host:port, wss://host:port or ws://host:port.</source>
        <translation>“%1”不是服务器地址。请使用 主机、主机:端口、wss://主机:端口 或 ws://主机:端口。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Default camera</source>
        <translation>默认摄像头</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <source>Default microphone</source>
        <translation>默认麦克风</translation>
    </message>
    <message>
        <source>Test tone</source>
        <translation>测试音</translation>
    </message>
    <message>
        <source>Default speaker</source>
        <translation>默认扬声器</translation>
    </message>
    <message>
        <source>No sound</source>
        <translation>无声音</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
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
        <source>Typing</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Send with Ctrl+&amp;Enter (Enter starts a new line)</source>
        <translation>使用 Ctrl+Enter 发送(&amp;E)（Enter 换行）</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Open windows switch to the new language at once.</source>
        <translation>已打开的窗口会立即切换到新语言。</translation>
    </message>
    <message>
        <source>Show a &amp;notification for private messages, mentions and calls</source>
        <translation>收到私聊、提及和通话时显示通知(&amp;N)</translation>
    </message>
    <message>
        <source>Play a &amp;sound for them</source>
        <translation>同时播放提示音(&amp;S)</translation>
    </message>
    <message>
        <source>To silence one conversation, right-click it in the list and choose “Mute notifications”. Its unread messages are still counted.</source>
        <translation>要让某个会话静音，请在列表中右键点击它并选择“静音通知”。它的未读消息仍会计数。</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>摄像头(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Microphone:</source>
        <translation>麦克风(&amp;M)：</translation>
    </message>
    <message>
        <source>S&amp;peaker:</source>
        <translation>扬声器(&amp;P)：</translation>
    </message>
    <message>
        <source>Used for calls; a call in progress switches at once.</source>
        <translation>用于通话；进行中的通话会立即切换。</translation>
    </message>
    <message>
        <source>Signing out removes this account&apos;s saved history from this computer.</source>
        <translation>退出登录会从本机删除此账户保存的历史记录。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>隐私</translation>
    </message>
    <message>
        <source>Private messages</source>
        <translation>私聊消息</translation>
    </message>
    <message>
        <source>Send &amp;read receipts</source>
        <translation>发送已读回执(&amp;R)</translation>
    </message>
    <message>
        <source>When on, the person who wrote to you sees two coloured ticks once you have opened their message. When off, they see only that it was delivered (two grey ticks), and nobody learns when you read it. You still see when others read yours.</source>
        <translation>开启时，给你发消息的人在你打开消息后会看到两个彩色对勾。关闭时，对方只能看到消息已送达（两个灰色对勾），没有人知道你何时阅读。你仍能看到别人何时读了你的消息。</translation>
    </message>
</context>
<context>
    <name>Sha256</name>
    <message>
        <source>SHA-256 is not available (OpenSSL failed).</source>
        <translation>无法计算 SHA-256（OpenSSL 出错）。</translation>
    </message>
</context>
<context>
    <name>TestPatternCamera</name>
    <message>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
</context>
<context>
    <name>TokenStore</name>
    <message>
        <source>An empty token cannot be stored.</source>
        <translation>无法保存空的令牌。</translation>
    </message>
    <message>
        <source>Keychain error: %1</source>
        <translation>钥匙串错误：%1</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is not a token file: %2</source>
        <translation>%1 不是令牌文件：%2</translation>
    </message>
    <message>
        <source>no &quot;tokens&quot; object</source>
        <translation>缺少 "tokens" 对象</translation>
    </message>
    <message>
        <source>Could not remove %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>Could not create a file in %1: %2</source>
        <translation>无法在 %1 中创建文件：%2</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Could not create the folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <source>%1 is locked by another process</source>
        <translation>%1 已被另一个进程锁定</translation>
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
    <message>
        <source>guest</source>
        <translation>访客</translation>
    </message>
</context>
<context>
    <name>VideoPipeline</name>
    <message>
        <source>The video encoder cannot start: %1</source>
        <translation>视频编码器无法启动：%1</translation>
    </message>
</context>
</TS>
