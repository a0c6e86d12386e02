<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>BatchWindow</name>
    <message>
        <source>Batch: {name}</source>
        <translation>批量办理：{name}</translation>
    </message>
    <message>
        <source>Fill many cases with {name}, unattended. Leave the keyboard and mouse alone while it runs.</source>
        <translation>用 {name} 无人值守地办理多件。运行期间请勿动键盘和鼠标。</translation>
    </message>
    <message>
        <source>No cases chosen yet.</source>
        <translation>尚未选择案件。</translation>
    </message>
    <message>
        <source>Choose cases…</source>
        <translation>选择案件…</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Open the report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>Choose the cases</source>
        <translation>选择案件</translation>
    </message>
    <message>
        <source>Cases (*.xlsx *.csv);;All files (*)</source>
        <translation>案件 (*.xlsx *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Reading the cases…</source>
        <translation>正在读取案件…</translation>
    </message>
    <message>
        <source>Stopping after this step…</source>
        <translation>本步完成后停止…</translation>
    </message>
    <message>
        <source>Case {seq}/{total}: {key} ({origin})</source>
        <translation>第 {seq}/{total} 件：{key}（{origin}）</translation>
    </message>
    <message>
        <source>Done {done} · set aside {set_aside} · escalated {escalated} · still to do {left}</source>
        <translation>已完成 {done} · 已搁置 {set_aside} · 已上报 {escalated} · 待办 {left}</translation>
    </message>
    <message>
        <source>Stopped; start again to resume.</source>
        <translation>已停止；再次点击“开始”即可继续。</translation>
    </message>
    <message>
        <source>Finished. The report is beside the ledger.</source>
        <translation>已完成。报告在台账旁边。</translation>
    </message>
</context>
<context>
    <name>DemoGuide</name>
    <message>
        <source>Deskhand demo: how it works</source>
        <translation>窗口助手演示：使用方法</translation>
    </message>
    <message>
        <source>&lt;b&gt;Deskhand demo&lt;/b&gt;&lt;ol&gt;&lt;li&gt;The citizen portal page (e龙岩 · 办件详情) is the source: press &lt;b&gt;{0}&lt;/b&gt;. Deskhand reads it, checks every field and confirms it with the registry.&lt;/li&gt;&lt;li&gt;Look at the review: edit anything, then press &lt;b&gt;Enter&lt;/b&gt;.&lt;/li&gt;&lt;li&gt;Click into the first field of the approval client (城市审批系统) and press &lt;b&gt;{1}&lt;/b&gt;: Deskhand types the case and reads every field back.&lt;/li&gt;&lt;/ol&gt;The tray icon 窗 holds the playbooks, settings and logs.</source>
        <translation>&lt;b&gt;窗口助手演示&lt;/b&gt;&lt;ol&gt;&lt;li&gt;市民门户页面（e龙岩 · 办件详情）是数据来源：按 &lt;b&gt;{0}&lt;/b&gt;。窗口助手读取页面，检查每一项，并向共享库核验。&lt;/li&gt;&lt;li&gt;查看核对窗口：可修改任何内容，然后按 &lt;b&gt;Enter&lt;/b&gt;。&lt;/li&gt;&lt;li&gt;点击审批系统（城市审批系统）的第一个输入框，按 &lt;b&gt;{1}&lt;/b&gt;：窗口助手填写办件数据，并逐项回读核对。&lt;/li&gt;&lt;/ol&gt;托盘图标“窗”中有业务流程、设置和日志。</translation>
    </message>
    <message>
        <source>Got it</source>
        <translation>知道了</translation>
    </message>
</context>
<context>
    <name>DocumentsWritten</name>
    <message>
        <source>Documents written</source>
        <translation>文书已生成</translation>
    </message>
    <message>
        <source>{n} documents (Word and PDF) are in {folder}:
{titles}</source>
        <translation>{n} 份文书（Word 和 PDF）已保存在 {folder}：
{titles}</translation>
    </message>
    <message>
        <source>&amp;Open the folder</source>
        <translation>打开文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
</context>
<context>
    <name>EditorWindow</name>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Trial run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <source>Read the chosen sample through the pipeline, compare it with its expected values and show what a fill would type where</source>
        <translation>用所选样例走一遍识别流程，与其期望值对照，并显示录入时会把什么填到哪里</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Fill steps</source>
        <translation>录入步骤</translation>
    </message>
    <message>
        <source>Edit playbook — {0}{1}</source>
        <translation>编辑业务流程 — {0}{1}</translation>
    </message>
    <message>
        <source>Insert a step</source>
        <translation>插入步骤</translation>
    </message>
    <message>
        <source>The new step, in YAML (it goes before step {0}):</source>
        <translation>新步骤（YAML，插在第 {0} 步之前）：</translation>
    </message>
    <message>
        <source>Edit a step</source>
        <translation>编辑步骤</translation>
    </message>
    <message>
        <source>Step {0}, in YAML:</source>
        <translation>第 {0} 步（YAML）：</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>The playbook could not be written to {0} ({1}); check that the folder is writable.</source>
        <translation>业务流程无法写入 {0}（{1}），请检查该文件夹是否可写。</translation>
    </message>
    <message>
        <source>Saved as a draft: Deskhand will refuse it until the problems are fixed.</source>
        <translation>已存为草稿：问题改正之前，窗口助手不会使用它。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The playbook has problems</source>
        <translation>业务流程有问题</translation>
    </message>
    <message>
        <source>Deskhand cannot use this playbook as it is:</source>
        <translation>窗口助手无法按现状使用这个业务流程：</translation>
    </message>
    <message>
        <source>Save anyway as a draft</source>
        <translation>仍然存为草稿</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <source>Save the changes to {0}?</source>
        <translation>保存对 {0} 的修改吗？</translation>
    </message>
    <message>
        <source>This playbook has no sample: put a picture of a source in samples/&lt;playbook id&gt;/&lt;case&gt;/source.png beside it, with the values it holds in expected.yaml.</source>
        <translation>这个业务流程没有样例：请在业务流程旁的 samples/&lt;业务流程 id&gt;/&lt;案例&gt;/source.png 放一张来源图片，并在 expected.yaml 中写明其中的值。</translation>
    </message>
    <message>
        <source>Fix the playbook&apos;s problems first; then it can be tried.</source>
        <translation>请先改正业务流程的问题，然后才能试运行。</translation>
    </message>
    <message>
        <source>Reading {0}…</source>
        <translation>正在识别 {0}…</translation>
    </message>
    <message>
        <source>{0}: {1} of {2} fields found on the picture.</source>
        <translation>{0}：图片上找到 {2} 个字段中的 {1} 个。</translation>
    </message>
    <message>
        <source>The sample could not be read ({0}).</source>
        <translation>样例无法识别（{0}）。</translation>
    </message>
</context>
<context>
    <name>FieldRow</name>
    <message>
        <source>Show {label}</source>
        <translation>显示{label}</translation>
    </message>
    <message>
        <source>Use &amp;registry value</source>
        <translation>采用共享库数据(&amp;R)</translation>
    </message>
    <message>
        <source>One of: {choices}</source>
        <translation>从以下选择：{choices}</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>显示(&amp;S)</translation>
    </message>
    <message>
        <source>from the registry</source>
        <translation>来自共享库</translation>
    </message>
    <message>
        <source>Where the value was read on the source</source>
        <translation>该值在来源中的识别位置</translation>
    </message>
    <message>
        <source>Read as: {value}</source>
        <translation>识别为：{value}</translation>
    </message>
    <message>
        <source>Changed by you.</source>
        <translation>由您修改。</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>已修改</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Checked; nothing to look at.</source>
        <translation>已检查，无需处理。</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>已纠正</translation>
    </message>
    <message>
        <source>Unchecked</source>
        <translation>未经校验</translation>
    </message>
    <message>
        <source>Read from the source; no check can confirm free text: compare it with the source.</source>
        <translation>从来源读取；自由文本无法自动校验：请对照来源核对。</translation>
    </message>
    <message>
        <source>Source: {value} · Registry: {registry}</source>
        <translation>来源：{value} · 共享库：{registry}</translation>
    </message>
    <message>
        <source>Mismatch</source>
        <translation>不一致</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Required: type the value.</source>
        <translation>必填：请输入该项。</translation>
    </message>
    <message>
        <source>Not found on the source (optional).</source>
        <translation>来源中未找到（选填）。</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation>未核验</translation>
    </message>
    <message>
        <source>No registry confirmed this value.</source>
        <translation>没有共享库核实此值。</translation>
    </message>
</context>
<context>
    <name>FieldsTable</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
</context>
<context>
    <name>FillProgress</name>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>Stop typing; the case is kept.</source>
        <translation>停止填写；办件数据会保留。</translation>
    </message>
    <message>
        <source>Form {n}/{total}: {name}</source>
        <translation>第 {n}/{total} 张表：{name}</translation>
    </message>
    <message>
        <source>Filling: {name}</source>
        <translation>正在填写：{name}</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Field {i} of {n}: {label}</source>
        <translation>第 {i} / {n} 项：{label}</translation>
    </message>
    <message>
        <source>Click into the approval client ({target}).</source>
        <translation>请点击审批系统（{target}）的输入框。</translation>
    </message>
    <message>
        <source>Release the keys {keys} to start typing.</source>
        <translation>请松开 {keys} 键，随后开始填写。</translation>
    </message>
</context>
<context>
    <name>FillSummary</name>
    <message>
        <source>(nothing)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Stopped at {label}</source>
        <translation>停在“{label}”</translation>
    </message>
    <message>
        <source>, after {n} characters</source>
        <translation>，已输入 {n} 个字符</translation>
    </message>
    <message>
        <source>Stopped at step {n}.</source>
        <translation>停在第 {n} 步。</translation>
    </message>
    <message>
        <source>{ok} of {n} fields read back correctly.</source>
        <translation>{n} 项中有 {ok} 项回读一致。</translation>
    </message>
    <message>
        <source>These differ in the form:</source>
        <translation>以下项目与表单中的内容不一致：</translation>
    </message>
    <message>
        <source>• {label}: typed {typed}, the form holds {held}</source>
        <translation>• {label}：输入的是 {typed}，表单中为 {held}</translation>
    </message>
    <message>
        <source>Not read back, check by eye: {labels}</source>
        <translation>未能回读，请人工核对：{labels}</translation>
    </message>
    <message>
        <source>Left empty (no value in the case): {labels}</source>
        <translation>留空（办件中无值）：{labels}</translation>
    </message>
    <message>
        <source>The case is kept; you can fill it again.</source>
        <translation>办件数据已保留，可以重新填写。</translation>
    </message>
    <message>
        <source>Filled, with differences: {name}</source>
        <translation>已填写，但有不一致：{name}</translation>
    </message>
    <message>
        <source>Filled: {name}</source>
        <translation>已填写：{name}</translation>
    </message>
    <message>
        <source>Dry run: {name}</source>
        <translation>试运行：{name}</translation>
    </message>
    <message>
        <source>Nothing was typed.</source>
        <translation>未输入任何内容。</translation>
    </message>
    <message>
        <source>Filling stopped: the focus moved</source>
        <translation>填写已停止：焦点已移开</translation>
    </message>
    <message>
        <source>Nothing was typed into the other window.</source>
        <translation>没有向其他窗口输入任何内容。</translation>
    </message>
    <message>
        <source>Filling aborted</source>
        <translation>填写已中止</translation>
    </message>
    <message>
        <source>Filling failed</source>
        <translation>填写失败</translation>
    </message>
    <message>
        <source>Nothing was filled</source>
        <translation>未填写任何内容</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
</context>
<context>
    <name>GeneralPage</name>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Text recognition:</source>
        <translation>文字识别(&amp;T)：</translation>
    </message>
    <message>
        <source>Fill fields through the client&apos;s accessibility interface (recommended)</source>
        <translation>通过审批客户端的无障碍接口填写字段（推荐）</translation>
    </message>
    <message>
        <source>Off: fields addressed by label are typed with keys, clicked beside their label.</source>
        <translation>关闭时：按标签定位的字段改为点击标签旁的输入框后用按键输入。</translation>
    </message>
    <message>
        <source>RapidOCR (recommended)</source>
        <translation>RapidOCR（推荐）</translation>
    </message>
    <message>
        <source>RapidOCR with the older PP-OCRv4 model</source>
        <translation>RapidOCR（旧版 PP-OCRv4 模型）</translation>
    </message>
    <message>
        <source>EasyOCR (its models must be installed)</source>
        <translation>EasyOCR（需另行安装模型）</translation>
    </message>
    <message>
        <source>Playbook folders</source>
        <translation>业务流程文件夹</translation>
    </message>
    <message>
        <source>Shipped playbook library (always included)</source>
        <translation>内置业务流程库（始终包含）</translation>
    </message>
    <message>
        <source>&amp;Add folder…</source>
        <translation>添加文件夹(&amp;A)…</translation>
    </message>
    <message>
        <source>Re&amp;move folder</source>
        <translation>移除文件夹(&amp;M)</translation>
    </message>
</context>
<context>
    <name>HotkeysPage</name>
    <message>
        <source>Capture</source>
        <translation>采集</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填写</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>Click a box and press the new key combination. Each hotkey needs Ctrl or Alt and must differ from the others.</source>
        <translation>点击输入框，然后按下新的组合键。每个快捷键须包含 Ctrl 或 Alt，且互不相同。</translation>
    </message>
    <message>
        <source>&amp;Capture:</source>
        <translation>采集(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Fill:</source>
        <translation>填写(&amp;F)：</translation>
    </message>
    <message>
        <source>A&amp;bort:</source>
        <translation>中止(&amp;B)：</translation>
    </message>
    <message>
        <source>Press a key combination.</source>
        <translation>请按下组合键。</translation>
    </message>
    <message>
        <source>A hotkey needs Ctrl or Alt, or it would fire while you type.</source>
        <translation>快捷键须包含 Ctrl 或 Alt，否则打字时会被误触发。</translation>
    </message>
    <message>
        <source>Deskhand cannot use {keys} as a hotkey.</source>
        <translation>无法使用 {keys} 作为快捷键。</translation>
    </message>
    <message>
        <source>The same keys as {other}.</source>
        <translation>与“{other}”的快捷键相同。</translation>
    </message>
</context>
<context>
    <name>RecorderWindow</name>
    <message>
        <source>Values that matched no source field (the clerk types them in the review until answered):</source>
        <translation>与来源字段都不匹配的值（回答之前，由窗口人员在核对时填写）：</translation>
    </message>
    <message>
        <source>Events recorded: {0}</source>
        <translation>已录制事件：{0}</translation>
    </message>
    <message>
        <source>Recording finished</source>
        <translation>录制完成</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>录制中…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Show the source and press {0}; then fill the approval client once and press {1} or Stop.</source>
        <translation>请打开来源并按 {0}；然后在审批系统中完整填写一次，按 {1} 或“停止”结束。</translation>
    </message>
    <message>
        <source>Fill the approval client once, then press {0} or Stop.</source>
        <translation>请在审批系统中完整填写一次，然后按 {0} 或“停止”结束。</translation>
    </message>
</context>
<context>
    <name>RegistriesPage</name>
    <message>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>删除(&amp;V)</translation>
    </message>
    <message>
        <source>No registries yet: import the registry settings file IT gave you.</source>
        <translation>尚未配置共享库接口：请导入信息科提供的配置文件。</translation>
    </message>
    <message>
        <source>&amp;Base URL:</source>
        <translation>接口地址(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Timeout:</source>
        <translation>超时(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>认证方式(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Key ID:</source>
        <translation>密钥编号(&amp;K)：</translation>
    </message>
    <message>
        <source>Cr&amp;edential name:</source>
        <translation>凭据名称(&amp;E)：</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>令牌（Bearer）</translation>
    </message>
    <message>
        <source>API key header</source>
        <translation>API 密钥（请求头）</translation>
    </message>
    <message>
        <source>HMAC-SHA256 signature</source>
        <translation>HMAC-SHA256 签名</translation>
    </message>
    <message>
        <source>HMAC-SM3 signature (national standard)</source>
        <translation>HMAC-SM3 签名（国密）</translation>
    </message>
    <message>
        <source>Client certificate</source>
        <translation>客户端证书</translation>
    </message>
    <message>
        <source>&amp;Set credential…</source>
        <translation>设置凭据(&amp;S)…</translation>
    </message>
    <message>
        <source>When a registry is &amp;unreachable:</source>
        <translation>共享库不可用时(&amp;U)：</translation>
    </message>
    <message>
        <source>Mark the fields unverified and go on</source>
        <translation>标记为“未核验”并继续</translation>
    </message>
    <message>
        <source>Stop and keep the case</source>
        <translation>停止办理并保留办件数据</translation>
    </message>
    <message>
        <source>The registry settings could not be imported: {error}</source>
        <translation>无法导入共享库配置：{error}</translation>
    </message>
    <message>
        <source>No credential needed.</source>
        <translation>无需凭据。</translation>
    </message>
    <message>
        <source>Enter the name of the credential.</source>
        <translation>请填写凭据名称。</translation>
    </message>
    <message>
        <source>The system keyring cannot be used: {error}</source>
        <translation>无法使用系统密钥环：{error}</translation>
    </message>
    <message>
        <source>Stored in the system keyring.</source>
        <translation>已保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>Not set yet: press Set credential…</source>
        <translation>尚未设置：请点击“设置凭据…”。</translation>
    </message>
    <message>
        <source>Enter the name of the credential first.</source>
        <translation>请先填写凭据名称。</translation>
    </message>
    <message>
        <source>Set credential</source>
        <translation>设置凭据</translation>
    </message>
    <message>
        <source>Secret for {name} (kept only in the system keyring):</source>
        <translation>“{name}”的密钥（仅保存在系统密钥环中）：</translation>
    </message>
    <message>
        <source>The credential could not be stored: {error}</source>
        <translation>无法保存凭据：{error}</translation>
    </message>
</context>
<context>
    <name>ReviewDialog</name>
    <message>
        <source>Review before filling — {name}</source>
        <translation>填写前核对 — {name}</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>On the source</source>
        <translation>来源原文</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>填写值</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>共享库</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Check each value before it is typed into the approval client. Coloured marks show what needs a look.</source>
        <translation>填入审批系统前请逐项核对。带颜色标记的项目需要留意。</translation>
    </message>
    <message>
        <source>I have &amp;checked the marked fields</source>
        <translation>我已核对标记的项目(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Write the &amp;documents</source>
        <translation>生成文书(&amp;D)</translation>
    </message>
    <message>
        <source>Groups in the case (check them in the case file or the intake form):</source>
        <translation>案卷中的成员信息（请在案卷文件或一张表单中核对）：</translation>
    </message>
    <message>
        <source>Confirm and &amp;fill</source>
        <translation>确认并填写(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Fill</source>
        <translation>填写(&amp;F)</translation>
    </message>
    <message>
        <source>{label} holds characters that are never typed ({chars}): correct it first.</source>
        <translation>“{label}”含有不允许录入的字符（{chars}），请先修改。</translation>
    </message>
    <message>
        <source>Type a value for {label} first: it is required.</source>
        <translation>请先填写“{label}”：该项为必填。</translation>
    </message>
    <message>
        <source>{n} field(s) need a look. Tick the box to fill anyway.</source>
        <translation>有 {n} 项需要留意。勾选确认框后仍可填写。</translation>
    </message>
    <message>
        <source>All fields passed. Press Enter to fill.</source>
        <translation>全部通过。按 Enter 开始填写。</translation>
    </message>
</context>
<context>
    <name>ScenarioFlow</name>
    <message>
        <source>No scenario</source>
        <translation>未选择业务场景</translation>
    </message>
    <message>
        <source>Pick a scenario in the tray menu first.</source>
        <translation>请先在托盘菜单中选择一个业务场景。</translation>
    </message>
    <message>
        <source>The scenario cannot be used</source>
        <translation>该业务场景无法使用</translation>
    </message>
    <message>
        <source>Case for {name}</source>
        <translation>选择案卷：{name}</translation>
    </message>
    <message>
        <source>Cases (*.json)</source>
        <translation>案卷 (*.json)</translation>
    </message>
    <message>
        <source>Cannot read the case</source>
        <translation>无法读取案卷</translation>
    </message>
    <message>
        <source>No case yet</source>
        <translation>尚无办件</translation>
    </message>
    <message>
        <source>Open a case for the scenario first.</source>
        <translation>请先为该业务场景打开案卷。</translation>
    </message>
    <message>
        <source>Nothing to fill</source>
        <translation>没有可填写的内容</translation>
    </message>
    <message>
        <source>Check the case first</source>
        <translation>请先核对办件</translation>
    </message>
    <message>
        <source>Case not saved</source>
        <translation>办件未保存</translation>
    </message>
    <message>
        <source>Nothing was filled</source>
        <translation>未填写任何内容</translation>
    </message>
    <message>
        <source>The documents were not written</source>
        <translation>文书未生成</translation>
    </message>
</context>
<context>
    <name>ScenarioSummary</name>
    <message>
        <source>Form {n}/{total} {name}</source>
        <translation>第 {n}/{total} 张表 {name}</translation>
    </message>
    <message>
        <source>: filled before, not typed again</source>
        <translation>：之前已填写，本次不再录入</translation>
    </message>
    <message>
        <source>: not filled. {why}</source>
        <translation>：未填写。{why}</translation>
    </message>
    <message>
        <source>: filled, {ok} of {n} fields read back correctly</source>
        <translation>：已填写，{n} 项中 {ok} 项回读一致</translation>
    </message>
    <message>
        <source>: filled</source>
        <translation>：已填写</translation>
    </message>
    <message>
        <source>These differ in the form: {fields}</source>
        <translation>表单中以下各项不一致：{fields}</translation>
    </message>
    <message>
        <source>Kept {field} = {value}</source>
        <translation>已记录 {field} = {value}</translation>
    </message>
    <message>
        <source>Form {n}/{total} {name}: not started</source>
        <translation>第 {n}/{total} 张表 {name}：尚未开始</translation>
    </message>
    <message>
        <source>All {total} forms filled: {name}</source>
        <translation>{total} 张表全部填写完成：{name}</translation>
    </message>
    <message>
        <source>Stopped: {name}</source>
        <translation>已停止：{name}</translation>
    </message>
    <message>
        <source>Press Continue to go on at form {n}; the forms before it are not typed again.</source>
        <translation>点击“继续”将从第 {n} 张表接着填写，之前的表不会重复录入。</translation>
    </message>
    <message>
        <source>C&amp;ontinue</source>
        <translation>继续(&amp;O)</translation>
    </message>
    <message>
        <source>Write the &amp;documents</source>
        <translation>生成文书(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Deskhand settings</source>
        <translation>窗口助手设置</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>通用(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Hotkeys</source>
        <translation>快捷键(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Registries</source>
        <translation>数据核验(&amp;R)</translation>
    </message>
    <message>
        <source>Fixed by IT</source>
        <translation>由信息科统一设置</translation>
    </message>
    <message>
        <source>Some saved settings could not be used and were set aside:</source>
        <translation>部分已保存的设置无法使用，已另存备份：</translation>
    </message>
    <message>
        <source>The settings were not saved: {error}</source>
        <translation>设置未保存：{error}</translation>
    </message>
    <message>
        <source>Choose a playbook folder</source>
        <translation>选择业务流程文件夹</translation>
    </message>
    <message>
        <source>Import registry settings</source>
        <translation>导入共享库配置</translation>
    </message>
    <message>
        <source>Registry settings (*.yaml *.yml)</source>
        <translation>共享库配置 (*.yaml *.yml)</translation>
    </message>
</context>
<context>
    <name>SourcePane</name>
    <message>
        <source>Read again</source>
        <translation>重新识别</translation>
    </message>
    <message>
        <source>The picture of the source: a sample, or the recording&apos;s</source>
        <translation>来源图片：样例，或录制时保存的图片</translation>
    </message>
    <message>
        <source>No picture of the source: add a sample beside the playbook (samples/&lt;id&gt;/&lt;case&gt;/source.png).</source>
        <translation>没有来源图片：请在业务流程旁添加样例（samples/&lt;id&gt;/&lt;案例&gt;/source.png）。</translation>
    </message>
    <message>
        <source>Not found: {0} ({1}) — {2}</source>
        <translation>未找到：{0}（{1}）— {2}</translation>
    </message>
</context>
<context>
    <name>StepsPane</name>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Insert…</source>
        <translation>插入…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Drag a step to move it; double-click to edit it</source>
        <translation>拖动步骤可调整顺序；双击可编辑</translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message>
        <source>Deskhand was updated</source>
        <translation>窗口助手已更新</translation>
    </message>
    <message>
        <source>A new version was installed; Deskhand restarts itself as soon as nothing is under way. Nothing you are doing is lost.</source>
        <translation>已安装新版本；当前没有进行中的工作时，窗口助手会自动重新启动。您正在做的工作不会丢失。</translation>
    </message>
    <message>
        <source>Deskhand: pick a playbook, press the capture key on the source</source>
        <translation>窗口助手：选择业务流程，在来源页面按采集键</translation>
    </message>
    <message>
        <source>Playbooks</source>
        <translation>业务流程</translation>
    </message>
    <message>
        <source>Broken: {0}</source>
        <translation>无法使用：{0}</translation>
    </message>
    <message>
        <source>Not trusted: {0}</source>
        <translation>未获信任：{0}</translation>
    </message>
    <message>
        <source>&amp;Capture the source</source>
        <translation>采集来源(&amp;C)</translation>
    </message>
    <message>
        <source>Capture from a &amp;picture…</source>
        <translation>从图片采集(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Fill the approval client</source>
        <translation>填写审批系统(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Last case</source>
        <translation>最近办件(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Open &amp;logs</source>
        <translation>打开日志(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Hotkey not available</source>
        <translation>快捷键不可用</translation>
    </message>
    <message>
        <source>Hotkeys not available</source>
        <translation>快捷键不可用</translation>
    </message>
    <message>
        <source>Deskhand: {0}</source>
        <translation>窗口助手：{0}</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>业务场景</translation>
    </message>
    <message>
        <source>&amp;Open a case for the scenario…</source>
        <translation>为业务场景打开案卷(&amp;O)…</translation>
    </message>
    <message>
        <source>Fill in the basic-information &amp;form (一张表单)…</source>
        <translation>填写一张表单(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Batch from a spreadsheet…</source>
        <translation>从表格批量办理(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Record a playbook…</source>
        <translation>录制业务流程(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Edit playbook…</source>
        <translation>编辑业务流程(&amp;E)…</translation>
    </message>
    <message>
        <source>No playbook</source>
        <translation>未选择业务流程</translation>
    </message>
    <message>
        <source>Pick a playbook in the tray menu first.</source>
        <translation>请先在托盘菜单中选择业务流程。</translation>
    </message>
    <message>
        <source>Reading the source…</source>
        <translation>正在读取来源…</translation>
    </message>
    <message>
        <source>Registry not reached</source>
        <translation>共享库连接失败</translation>
    </message>
    <message>
        <source>Picture of the source</source>
        <translation>来源图片</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.bmp)</translation>
    </message>
    <message>
        <source>Cannot read the picture</source>
        <translation>无法读取图片</translation>
    </message>
    <message>
        <source>Save the recorded playbook as</source>
        <translation>录制的业务流程保存为</translation>
    </message>
    <message>
        <source>Playbooks (*.yaml)</source>
        <translation>业务流程 (*.yaml)</translation>
    </message>
    <message>
        <source>Cannot record</source>
        <translation>无法录制</translation>
    </message>
    <message>
        <source>No case yet</source>
        <translation>尚无办件</translation>
    </message>
    <message>
        <source>Capture a source first.</source>
        <translation>请先采集来源。</translation>
    </message>
    <message>
        <source>Case not saved</source>
        <translation>办件未保存</translation>
    </message>
    <message>
        <source>Ready: focus the approval client and press {0}</source>
        <translation>就绪：切换到审批系统并按 {0}</translation>
    </message>
    <message>
        <source>No batch</source>
        <translation>不能批量办理</translation>
    </message>
    <message>
        <source>Playbook {0} has no batch section; a supervisor adds one.</source>
        <translation>业务流程 {0} 没有批量办理段（batch）；请科室负责人添加。</translation>
    </message>
    <message>
        <source>Nothing to fill</source>
        <translation>没有可填写的内容</translation>
    </message>
    <message>
        <source>Check the case first</source>
        <translation>请先核对办件</translation>
    </message>
    <message>
        <source>Some fields need a look before typing.</source>
        <translation>部分项目需在填写前核对。</translation>
    </message>
    <message>
        <source>Cannot fill</source>
        <translation>无法填写</translation>
    </message>
    <message>
        <source>Playbook to edit</source>
        <translation>要编辑的业务流程</translation>
    </message>
    <message>
        <source>Playbooks (*.yaml *.yml)</source>
        <translation>业务流程 (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>Cannot open the playbook</source>
        <translation>无法打开业务流程</translation>
    </message>
    <message>
        <source>Nothing was typed</source>
        <translation>未填写任何内容</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>正在处理</translation>
    </message>
    <message>
        <source>Wait until the current step ends.</source>
        <translation>请等待当前步骤完成。</translation>
    </message>
    <message>
        <source>Capture failed</source>
        <translation>采集失败</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Deskhand</source>
        <translation>窗口助手</translation>
    </message>
</context>
<context>
    <name>TrialDialog</name>
    <message>
        <source>Trial run — {0}</source>
        <translation>试运行 — {0}</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>识别结果</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>期望值</translation>
    </message>
    <message>
        <source>{0} of {1} fields as the sample expects.</source>
        <translation>{1} 个字段中有 {0} 个与样例期望一致。</translation>
    </message>
    <message>
        <source>The sample gives no expected values to compare with.</source>
        <translation>该样例没有可对照的期望值。</translation>
    </message>
    <message>
        <source>Fields read from the sample</source>
        <translation>从样例识别的字段</translation>
    </message>
    <message>
        <source>What a fill would type, and where (dry run; nothing is typed)</source>
        <translation>录入时会把什么填到哪里（试运行，不会录入任何内容）</translation>
    </message>
    <message>
        <source>Window to fill:</source>
        <translation>要录入的窗口：</translation>
    </message>
    <message>
        <source>Fill it for real</source>
        <translation>实际录入</translation>
    </message>
    <message>
        <source>Types the sample&apos;s case into the window titled like this; the playbook&apos;s target must match it</source>
        <translation>把样例的数据录入标题与此相符的窗口；该窗口须与业务流程的目标窗口相符</translation>
    </message>
    <message>
        <source>Filling…</source>
        <translation>正在录入…</translation>
    </message>
    <message>
        <source>The fill stopped ({0}).</source>
        <translation>录入已停止（{0}）。</translation>
    </message>
</context>
<context>
    <name>tray</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Deskhand hit a problem</source>
        <translation>窗口助手遇到问题</translation>
    </message>
    <message>
        <source>The settings could not be loaded; see the log.</source>
        <translation>无法加载设置，请查看日志。</translation>
    </message>
</context>
</TS>
