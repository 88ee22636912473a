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
