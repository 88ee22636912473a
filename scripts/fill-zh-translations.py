#!/usr/bin/env python3
"""Fills resources/translations/confab_zh_CN.ts from the table below (Simplified Chinese).

Run after scripts/update-translations; entries without a translation stay unfinished and
show in English. Keeping the table here makes the translations reviewable in diffs."""
import html
import pathlib
import re

ZH = {
    '%1 (private)': '%1（私聊）',
    '%1 mentioned you': '%1 提到了你',
    'Confab: chat with voice and video calls.': 'Confab：支持语音和视频通话的聊天。',
    'Host a server on this computer (optionally: --host PORT, default 8080) and join it.':
        '在本机运行服务器并加入（可选：--host 端口，默认 8080）。',
    'Port for --host.': '--host 使用的端口。',
    'Server to join, e.g. ws://host:8080.': '要加入的服务器，例如 ws://host:8080。',
    'Your name.': '你的名字。',
    'system, light or dark.': 'system、light 或 dark。',
    "en or zh_CN (default: the system's).": 'en 或 zh_CN（默认跟随系统）。',
    'History file when hosting.': '本机托管时的历史记录文件。',
    'Quit after this many milliseconds (for checks).': '在指定毫秒后退出（用于检查）。',
    'Write a message… (@ completes a name)': '输入消息…（输入 @ 可补全名字）',
    'Lobby': '大厅',
    'Confab — Log in': 'Confab — 登录',
    '<h2>Welcome to Confab</h2>': '<h2>欢迎使用 Confab</h2>',
    'Join a server, or host one on this computer so others on your network can join you.':
        '加入一个服务器，或者在本机运行一个，让同一网络中的其他人加入你。',
    'host, host:port or ws://host:port': '主机、主机:端口 或 ws://主机:端口',
    'Your name': '你的名字',
    'Host on this computer': '在本机托管',
    'port ': '端口 ',
    '&Server:': '服务器(&S)：',
    '&Name:': '名字(&N)：',
    '&Connect': '连接(&C)',
    '&Quit': '退出(&Q)',
    'Enter a name so others know who you are.': '请输入名字，让别人知道你是谁。',
    'That name is too long: use at most 32 characters.': '名字太长：最多 32 个字符。',
    "Names may use letters, digits, '_', '-' and '.', and start with a letter or digit (no spaces).":
        '名字可以使用字母、数字、“_”、“-”和“.”，须以字母或数字开头（不能有空格）。',
    'Could not start the server on this computer: %1\nChoose another port.':
        '无法在本机启动服务器：%1\n请换一个端口。',
    'hosting is not available': '无法托管',
    'Connecting to %1…': '正在连接 %1…',
    "Someone online already uses the name '%1'. Choose another name.":
        '在线用户中已有人使用“%1”这个名字，请换一个。',
    'Cannot reach the server at %1 (%2).\nCheck the address and that the server is running, or choose "Host on this computer".':
        '无法连接到服务器 %1（%2）。\n请检查地址以及服务器是否在运行，或选择“在本机托管”。',
    'no answer': '无响应',
    'Search (Ctrl+K)': '搜索（Ctrl+K）',
    'Send (Enter)': '发送（Enter）',
    'Calls are not available in this version yet.': '此版本暂不支持通话。',
    '&Confab': 'Confab(&C)',
    '&Theme': '主题(&T)',
    'Follow the &system': '跟随系统(&S)',
    '&Light': '浅色(&L)',
    '&Dark': '深色(&D)',
    '&Language': '语言(&L)',
    'Follow the system': '跟随系统',
    'Language': '语言',
    'The new language is used from the next start of Confab.': '新语言将在下次启动 Confab 时生效。',
    'Send with Ctrl+&Enter': '使用 Ctrl+Enter 发送(&E)',
    '&Help': '帮助(&H)',
    '&About Confab': '关于 Confab(&A)',
    'About Confab': '关于 Confab',
    '<h3>Confab %1</h3><p>Chat with voice and video calls.</p>':
        '<h3>Confab %1</h3><p>支持语音和视频通话的聊天。</p>',
    'Write to everyone… (@name for a private message)': '发给所有人…（@名字 发送私聊）',
    'Write to %1 privately…': '私聊 %1…',
    'Hosting — others on your network join at %1': '正在托管 — 同一网络中的人可通过 %1 加入',
    '%n online': '%n 人在线',
    'online, private conversation': '在线，私聊',
    'offline, private conversation': '离线，私聊',
    'Online (%1)': '在线（%1）',
    'Confab — %1 @ %2': 'Confab — %1 @ %2',
    'Online': '在线',
    'Connecting…': '正在连接…',
    'Reconnecting in %n s… — messages will be sent when back': '%n 秒后重新连接… — 恢复后会发送消息',
    'Reconnecting…': '正在重新连接…',
    'Offline — messages will be sent when back': '离线 — 恢复连接后会发送消息',
    '%1 is typing…': '%1 正在输入…',
    '%1 and %n other(s) are typing…': '%1 和另外 %n 人正在输入…',
    'sending…': '发送中…',
    'Not sent — Retry': '未发送 — 重试',
    'Today': '今天',
    'Yesterday': '昨天',
    "Enter the server's address.": '请输入服务器地址。',
    "'%1' is not a server address. Use host, host:port or ws://host:port.":
        '“%1”不是服务器地址。请使用 主机、主机:端口 或 ws://主机:端口。',
    'Confab — %n unread': 'Confab — %n 条未读',
    '%1 (you)': '%1（你）',
    'Unknown microphone "%1": use tone, file:PATH, mic or mic:ID.': '未知的麦克风“%1”：请使用 tone、file:路径、mic 或 mic:ID。',
    'Test tone': '测试音',
    'Sound file %1': '声音文件 %1',
    'Microphone': '麦克风',
    "No microphone found. Plug one in and choose it in the call window's device menu; the other side cannot hear you meanwhile.": '未找到麦克风。请插入麦克风并在通话窗口的设备菜单中选择它；在此之前对方听不到你的声音。',
    "The chosen microphone is not connected. Choose another one in the call window's device menu.": '所选麦克风未连接。请在通话窗口的设备菜单中选择其他麦克风。',
    'The microphone %1 cannot record 48 kHz mono audio.': '麦克风 %1 无法录制 48 kHz 单声道音频。',
    "The microphone %1 cannot be opened: it may be busy in another program, or access to it was refused in the system's privacy settings.": '无法打开麦克风 %1：它可能正被其他程序使用，或在系统隐私设置中被拒绝访问。',
    'The microphone %1 stopped working (unplugged?).': '麦克风 %1 停止工作（已拔出？）。',
    'The sound source ended.': '声音来源已结束。',
    'The voice encoder cannot start: %1': '语音编码器无法启动：%1',
    'Unknown speaker "%1": use none, speaker or speaker:ID.': '未知的扬声器“%1”：请使用 none、speaker 或 speaker:ID。',
    'No sound output': '无声音输出',
    'Speaker': '扬声器',
    "No speaker or headphones found: you will not hear the other side. Plug some in and choose them in the call window's device menu.": '未找到扬声器或耳机：你将听不到对方。请插入设备并在通话窗口的设备菜单中选择。',
    'The speaker %1 cannot be opened: it may be busy in another program.': '无法打开扬声器 %1：它可能正被其他程序使用。',
    'You are already in a call. Hang up first.': '你正在通话中，请先挂断。',
    '%1 cannot be called now: you are offline.': '现在无法呼叫 %1：你处于离线状态。',
    '%1 declined the call.': '%1 拒绝了通话。',
    '%1 is in another call. Try again later.': '%1 正在另一个通话中，请稍后再试。',
    'Missed call from %1.': '来自 %1 的未接来电。',
    '%1 did not answer.': '%1 未接听。',
    'The call with %1 ended: their connection was lost.': '与 %1 的通话已结束：对方连接中断。',
    '%1 hung up.': '%1 已挂断。',
    '%1 is not online.': '%1 不在线。',
    'The call could not be made: %1': '无法发起通话：%1',
    'The call ended: the connection to the server was lost.': '通话已结束：与服务器的连接中断。',
    "%1's app cannot show any video format this app sends; the call goes on with voice only.": '%1 的应用无法显示本应用发送的任何视频格式；通话将仅以语音继续。',
    'Your camera. Click to move it to another corner.': '你的摄像头画面。点击可移到另一个角落。',
    'Waiting for statistics…': '正在等待统计信息…',
    'Mute': '静音',
    'Mute your microphone (M)': '将麦克风静音（M）',
    'Camera off': '关闭摄像头',
    'Turn your camera off or on (V)': '关闭或打开摄像头（V）',
    'Devices': '设备',
    'Choose the camera, microphone and speaker': '选择摄像头、麦克风和扬声器',
    'Hang up': '挂断',
    'End the call (Esc, Ctrl+W)': '结束通话（Esc、Ctrl+W）',
    'Call ended.': '通话已结束。',
    'Ringing %1…': '正在呼叫 %1（对方响铃中）…',
    'Calling %1…': '正在呼叫 %1…',
    '%1 is calling': '%1 来电',
    'Call with %1 — %2': '与 %1 通话 — %2',
    'Call with %1': '与 %1 通话',
    'Unmute': '取消静音',
    'Camera on': '打开摄像头',
    '%1 fps': '%1 帧/秒',
    '%1 kbit/s': '%1 kbit/s',
    'loss %1%': '丢包 %1%',
    'jitter buffer %1 ms': '抖动缓冲 %1 毫秒',
    'video %1 ms': '视频 %1 毫秒',
    'audio %1 ms': '音频 %1 毫秒',
    'sending %1 fps, %2 kbit/s': '发送 %1 帧/秒，%2 kbit/s',
    'Close': '关闭',
    'Default camera': '默认摄像头',
    'Test pattern': '测试图案',
    'Default microphone': '默认麦克风',
    'Default speaker': '默认扬声器',
    'No sound': '无声音',
    'Camera': '摄像头',
    'Camera for calls: test-pattern, file:PATH (a video), camera (the default) or camera:ID.': '通话使用的摄像头：test-pattern、file:路径（视频文件）、camera（默认）或 camera:ID。',
    'Microphone for calls: tone, file:PATH (a WAV file), mic (the default) or mic:ID.': '通话使用的麦克风：tone、file:路径（WAV 文件）、mic（默认）或 mic:ID。',
    'Sound output for calls: speaker (the default), speaker:ID or none.': '通话使用的声音输出：speaker（默认）、speaker:ID 或 none。',
    'Video codec for calls: vp8 or jpeg.': '通话使用的视频编码：vp8 或 jpeg。',
    'Video file %1': '视频文件 %1',
    'The video file %1 does not exist.': '视频文件 %1 不存在。',
    'The video file %1 cannot be read: not a video format OpenCV knows.': '无法读取视频文件 %1：OpenCV 不支持该视频格式。',
    'The video file %1 has no readable frames.': '视频文件 %1 中没有可读取的画面。',
    'Incoming call': '来电',
    'Video call': '视频通话',
    'Voice call': '语音通话',
    'Accept': '接听',
    'Decline': '拒绝',
    'Call': '通话',
    'Start a video call': '发起视频通话',
    'Missed call': '未接来电',
    'Calls are not available in this build.': '此版本不支持通话。',
    'Unknown camera "%1": use test-pattern, file:PATH, camera or camera:ID.': '未知的摄像头“%1”：请使用 test-pattern、file:路径、camera 或 camera:ID。',
    'No camera found. Plug one in (the call picks it up), or continue with audio only.': '未找到摄像头。请插入一个（通话会自动使用它），或仅以语音继续。',
    "The chosen camera is not connected. Choose another one in the call window's device menu.": '所选摄像头未连接。请在通话窗口的设备菜单中选择其他摄像头。',
    "The camera cannot be used: %1. It may be busy in another program, or access to it was refused in the system's privacy settings.": '无法使用摄像头：%1。它可能正被其他程序使用，或在系统隐私设置中被拒绝访问。',
    'The camera %1 was unplugged.': '摄像头 %1 已被拔出。',
    'The video encoder cannot start: %1': '视频编码器无法启动：%1',
    '%1 is calling you (video).': '%1 正在呼叫你（视频）。',
    '%1 is calling you.': '%1 正在呼叫你。',
    "The chosen speaker is not connected: you will not hear the other side. Choose another one in the call window's device menu.": '所选扬声器未连接：你将听不到对方。请在通话窗口的设备菜单中选择其他扬声器。',
    "The speaker %1 stopped working (unplugged?): you will not hear the other side. Choose another one in the call window's device menu.": '扬声器 %1 停止工作（已拔出？）：你将听不到对方。请在通话窗口的设备菜单中选择其他扬声器。',
}

path = pathlib.Path(__file__).resolve().parent.parent / 'resources/translations/confab_zh_CN.ts'
text = path.read_text(encoding='utf-8')
missing = []


def fill(match):
    source = html.unescape(match.group(1))
    numerus = match.group(0).find('numerus="yes"') >= 0
    zh = ZH.get(source)
    if zh is None:
        missing.append(source)
        return match.group(0)
    escaped = html.escape(zh, quote=False)
    body = f'<numerusform>{escaped}</numerusform>' if numerus else escaped
    return re.sub(r'<translation[^>]*>.*?</translation>|<translation[^>]*/>',
                  f'<translation>{body}</translation>', match.group(0), flags=re.S)


text = re.sub(r'<message(?: numerus="yes")?>\s*<source>(.*?)</source>.*?</message>', fill, text, flags=re.S)
path.write_text(text, encoding='utf-8')
print(f'{len(ZH)} known, {len(missing)} untranslated')
for m in missing:
    print('  missing:', m)
