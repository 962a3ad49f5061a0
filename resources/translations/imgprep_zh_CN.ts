<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ReportText</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>This build of imgprep has no report module (core/report, report/), so %1 reports cannot be written; JSON can.</source>
        <translation>此 imgprep 构建不含报告模块（core/report、report/），因此无法生成 %1 报告；可以导出 JSON。</translation>
    </message>
    <message>
        <source>There is no finished checklist to report.</source>
        <translation>尚无已完成的检查清单可供生成报告。</translation>
    </message>
    <message>
        <source>Written without the conversion details: %1</source>
        <translation>已写入，但未包含转换详情：%1</translation>
    </message>
</context>
<context>
    <name>StatusText</name>
    <message>
        <source>Checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>required</source>
        <translation>必需</translation>
    </message>
    <message>
        <source>advised</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>to confirm</source>
        <translation>需确认</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::App</name>
    <message>
        <source>Gets a Windows VM disk image ready for cloud import.</source>
        <translation>为云导入准备 Windows 虚拟机磁盘镜像。</translation>
    </message>
    <message>
        <source>The disk image to open.</source>
        <translation>要打开的磁盘镜像。</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::CheckDetails</name>
    <message>
        <source>Table 1</source>
        <translation>表 1</translation>
    </message>
    <message>
        <source>Table 2</source>
        <translation>表 2</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Extra</source>
        <translation>附加</translation>
    </message>
    <message>
        <source>an uppercase letter (A–Z)</source>
        <translation>大写字母（A–Z）</translation>
    </message>
    <message>
        <source>a lowercase letter (a–z)</source>
        <translation>小写字母（a–z）</translation>
    </message>
    <message>
        <source>a digit (0–9)</source>
        <translation>数字（0–9）</translation>
    </message>
    <message>
        <source>a special character (one of %1)</source>
        <translation>特殊字符（%1 之一）</translation>
    </message>
    <message>
        <source>Select a check to see what was found and how to fix it.</source>
        <translation>选择一项检查，查看发现的情况及修复方法。</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>检查结果</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>I &amp;confirm that this requirement is met</source>
        <translation>我确认已满足此要求(&amp;C)</translation>
    </message>
    <message>
        <source>Confirm this requirement</source>
        <translation>确认此要求</translation>
    </message>
    <message>
        <source>Test the image&apos;s initial &amp;password (it is only looked at here: never stored, never logged):</source>
        <translation>测试镜像的初始密码(&amp;P)（仅在此处检查：不会保存，也不会写入日志）：</translation>
    </message>
    <message>
        <source>Initial password to test</source>
        <translation>要测试的初始密码</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>How to fix</source>
        <translation>修复方法</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation>状态：%1</translation>
    </message>
    <message>
        <source>Still checking…</source>
        <translation>仍在检查…</translation>
    </message>
    <message>
        <source>Nothing to fix: the requirement is met.</source>
        <translation>无需修复：已满足此要求。</translation>
    </message>
    <message>
        <source>No steps are listed for this check.</source>
        <translation>此检查没有列出修复步骤。</translation>
    </message>
    <message>
        <source>Documentation:</source>
        <translation>文档：</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>未测试</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺少</translation>
    </message>
    <message>
        <source>present</source>
        <translation>已包含</translation>
    </message>
    <message>
        <source>It also contains characters outside these classes (space, #, &amp;, *, non-ASCII, …); check that the cloud accepts them.</source>
        <translation>密码还包含上述类别以外的字符（空格、#、&amp;、*、非 ASCII 字符等）；请确认云平台接受这些字符。</translation>
    </message>
    <message>
        <source>Result of the last test (the password itself was not kept).</source>
        <translation>上次测试的结果（密码本身未被保留）。</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::CheckModel</name>
    <message>
        <source>Table 1 — Initial configuration</source>
        <translation>表 1 — 初始配置</translation>
    </message>
    <message>
        <source>Table 2 — Image file properties</source>
        <translation>表 2 — 镜像文件属性</translation>
    </message>
    <message>
        <source>Other requirements</source>
        <translation>其他要求</translation>
    </message>
    <message>
        <source>Extra checks from the linked guides</source>
        <translation>来自相关指南的附加检查</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>检查结果</translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n 项进行中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n 项未通过</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warnings</source>
        <translation>
            <numerusform>%n 项警告</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n to confirm</source>
        <translation>
            <numerusform>%n 项待确认</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unknown</source>
        <translation>
            <numerusform>%n 项未知</numerusform>
        </translation>
    </message>
    <message>
        <source>all passed</source>
        <translation>全部通过</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ChecklistPage</name>
    <message>
        <source>Check the requirements</source>
        <translation>检查要求</translation>
    </message>
    <message>
        <source>Every requirement of “Preparing an Image File”, checked offline. Select a row for the evidence and how to fix it.</source>
        <translation>离线检查《准备镜像文件》中的每一项要求。选择一行可查看依据和修复方法。</translation>
    </message>
    <message>
        <source>Inspecting…</source>
        <translation>正在分析…</translation>
    </message>
    <message>
        <source>Inspection progress</source>
        <translation>分析进度</translation>
    </message>
    <message>
        <source>&amp;Re-check</source>
        <translation>重新检查(&amp;R)</translation>
    </message>
    <message>
        <source>Inspect the image and run every check again (F5)</source>
        <translation>重新分析镜像并再次运行所有检查（F5）</translation>
    </message>
    <message>
        <source>Re-check the image</source>
        <translation>重新检查镜像</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Details of the selected check</source>
        <translation>所选检查项的详细信息</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message>
        <source>Image: %1</source>
        <translation>镜像：%1</translation>
    </message>
    <message>
        <source>Converted output: %1 (from %2)</source>
        <translation>转换输出：%1（源自 %2）</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ChoosePage</name>
    <message>
        <source>Choose the disk image</source>
        <translation>选择磁盘镜像</translation>
    </message>
    <message>
        <source>Pick the exported disk of the Windows VM. It is only read, never changed.</source>
        <translation>选择导出的 Windows 虚拟机磁盘。该文件只会被读取，绝不会被修改。</translation>
    </message>
    <message>
        <source>Image &amp;file:</source>
        <translation>镜像文件(&amp;F)：</translation>
    </message>
    <message>
        <source>Path of a disk image</source>
        <translation>磁盘镜像的路径</translation>
    </message>
    <message>
        <source>Image file path</source>
        <translation>镜像文件路径</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>Open the image at this path</source>
        <translation>打开此路径下的镜像</translation>
    </message>
    <message>
        <source>&amp;Recent images:</source>
        <translation>最近使用的镜像(&amp;R)：</translation>
    </message>
    <message>
        <source>Recent images</source>
        <translation>最近使用的镜像</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Virtual size</source>
        <translation>虚拟大小</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Virtual size:</source>
        <translation>虚拟大小：</translation>
    </message>
    <message>
        <source>File size:</source>
        <translation>文件大小：</translation>
    </message>
    <message>
        <source>Disk of the OVA to use</source>
        <translation>要使用的 OVA 磁盘</translation>
    </message>
    <message>
        <source>&amp;Disk:</source>
        <translation>磁盘(&amp;D)：</translation>
    </message>
    <message>
        <source>Opening the image</source>
        <translation>正在打开镜像</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Disk images (*.vmdk *.vhd *.vhdx *.qcow2 *.qcow *.qed *.vdi *.raw *.img *.zvhd *.zvhd2 *.ova)</source>
        <translation>磁盘镜像 (*.vmdk *.vhd *.vhdx *.qcow2 *.qcow *.qed *.vdi *.raw *.img *.zvhd *.zvhd2 *.ova)</translation>
    </message>
    <message>
        <source>OVA packages (*.ova)</source>
        <translation>OVA 包 (*.ova)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose a disk image</source>
        <translation>选择磁盘镜像</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
    <message numerus="yes">
        <source>OVA package with %n disk(s)</source>
        <translation>
            <numerusform>包含 %n 个磁盘的 OVA 包</numerusform>
        </translation>
    </message>
    <message>
        <source>not readable offline</source>
        <translation>无法离线读取</translation>
    </message>
    <message>
        <source>Disk %1: %2 — %3, %4</source>
        <translation>磁盘 %1：%2 — %3，%4</translation>
    </message>
    <message>
        <source>Windows</source>
        <translation>Windows</translation>
    </message>
    <message>
        <source>Boot</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Windows:</source>
        <translation>Windows：</translation>
    </message>
    <message>
        <source>Boot:</source>
        <translation>启动：</translation>
    </message>
    <message>
        <source>inspecting…</source>
        <translation>分析中…</translation>
    </message>
    <message>
        <source>, build %1</source>
        <translation>，版本号 %1</translation>
    </message>
    <message>
        <source>not found (%1)</source>
        <translation>未找到（%1）</translation>
    </message>
    <message>
        <source>not readable (%1)</source>
        <translation>无法读取（%1）</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ConvertJob</name>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Internal error: %1</source>
        <translation>内部错误：%1</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ConvertPage</name>
    <message>
        <source>Converting to RAW</source>
        <translation>正在转换为 RAW</translation>
    </message>
    <message>
        <source>Verifying (SHA-256 of source and output)</source>
        <translation>正在校验（源文件与输出的 SHA-256）</translation>
    </message>
    <message>
        <source>Converting with qemu-img-hw</source>
        <translation>正在使用 qemu-img-hw 转换</translation>
    </message>
    <message>
        <source>Making the bitmap with CreateMF.jar</source>
        <translation>正在使用 CreateMF.jar 生成位图文件</translation>
    </message>
    <message>
        <source>Convert for import</source>
        <translation>转换以便导入</translation>
    </message>
    <message>
        <source>Output format</source>
        <translation>输出格式</translation>
    </message>
    <message>
        <source>Convert to RAW with a bitmap file</source>
        <translation>转换为 RAW 并生成位图文件</translation>
    </message>
    <message>
        <source>&amp;Tools…</source>
        <translation>工具(&amp;T)…</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Disk:</source>
        <translation>磁盘：</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>选择输出文件夹</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>文件夹(&amp;F)：</translation>
    </message>
    <message>
        <source>Free space</source>
        <translation>可用空间</translation>
    </message>
    <message>
        <source>Space:</source>
        <translation>空间：</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Verify the output</source>
        <translation>校验输出</translation>
    </message>
    <message>
        <source>Replace &amp;existing files</source>
        <translation>替换已有文件(&amp;E)</translation>
    </message>
    <message>
        <source>Replace existing output files</source>
        <translation>替换已有的输出文件</translation>
    </message>
    <message>
        <source>Con&amp;vert</source>
        <translation>转换(&amp;V)</translation>
    </message>
    <message>
        <source>Start the conversion</source>
        <translation>开始转换</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>取消(&amp;A)</translation>
    </message>
    <message>
        <source>Cancel the conversion</source>
        <translation>取消转换</translation>
    </message>
    <message>
        <source>Conversion progress</source>
        <translation>转换进度</translation>
    </message>
    <message>
        <source>Throughput and time left</source>
        <translation>速度和剩余时间</translation>
    </message>
    <message>
        <source>The bitmap is made by CreateMF.jar (%1) after the RAW file is written.</source>
        <translation>RAW 文件写入完成后，由 CreateMF.jar（%1）生成位图文件。</translation>
    </message>
    <message>
        <source>measuring…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>The folder does not exist.</source>
        <translation>该文件夹不存在。</translation>
    </message>
    <message>
        <source>%1 free</source>
        <translation>可用 %1</translation>
    </message>
    <message>
        <source>free space unknown</source>
        <translation>可用空间未知</translation>
    </message>
    <message>
        <source>the conversion writes up to %1</source>
        <translation>转换最多写入 %1</translation>
    </message>
    <message>
        <source>not enough space</source>
        <translation>空间不足</translation>
    </message>
    <message>
        <source>Already there: %1</source>
        <translation>已存在：%1</translation>
    </message>
    <message>
        <source>%1 — %2 virtual, %3</source>
        <translation>%1 — 虚拟大小 %2，%3</translation>
    </message>
    <message>
        <source>The image holds no readable disk.</source>
        <translation>该镜像不包含可读取的磁盘。</translation>
    </message>
    <message>
        <source>No image chosen.</source>
        <translation>尚未选择镜像。</translation>
    </message>
    <message>
        <source>There is no disk to convert.</source>
        <translation>没有可转换的磁盘。</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>请选择输出文件夹。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
    <message>
        <source>%1 % done</source>
        <translation>已完成 %1 %</translation>
    </message>
    <message>
        <source>%1 · about %2 left · %3 of %4</source>
        <translation>%1 · 约剩 %2 · %3 / %4</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Wrote %1 in %2.</source>
        <translation>已写入 %1，用时 %2。</translation>
    </message>
    <message>
        <source>Verified: the output has the same content as the source.</source>
        <translation>已校验：输出与源文件内容一致。</translation>
    </message>
    <message>
        <source>The checklist now runs again on the output.</source>
        <translation>现在将对输出文件重新运行检查清单。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>The conversion was cancelled; no output was left behind.</source>
        <translation>转换已取消，未留下任何输出文件。</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
    <message>
        <source>Compressing to ZVHD2</source>
        <translation>正在压缩为 ZVHD2</translation>
    </message>
    <message>
        <source>Images over 128 GiB need fast import: a ZVHD2 file, or a RAW file with its bitmap. Smaller images can be uploaded as they are, or converted too.</source>
        <translation>大于 128 GiB 的镜像需要使用快速导入：ZVHD2 文件，或 RAW 文件及其位图文件。较小的镜像可以直接上传，也可以转换后上传。</translation>
    </message>
    <message>
        <source>&amp;ZVHD2</source>
        <translation>ZVHD2(&amp;Z)</translation>
    </message>
    <message>
        <source>Convert to ZVHD2</source>
        <translation>转换为 ZVHD2</translation>
    </message>
    <message>
        <source>&amp;RAW + bitmap file</source>
        <translation>RAW + 位图文件(&amp;R)</translation>
    </message>
    <message>
        <source>Set the paths of the optional tools qemu-img-hw and CreateMF.jar</source>
        <translation>设置可选工具 qemu-img-hw 和 CreateMF.jar 的路径</translation>
    </message>
    <message>
        <source>&amp;Verify the output (read it back, compare its SHA-256 with the source&apos;s)</source>
        <translation>校验输出（读回输出，并将其 SHA-256 与源镜像比较）(&amp;V)</translation>
    </message>
    <message>
        <source>qemu-img-hw exists for Linux x86-64 only</source>
        <translation>qemu-img-hw 仅适用于 Linux x86-64</translation>
    </message>
    <message>
        <source>%1 is not an executable file</source>
        <translation>%1 不是可执行文件</translation>
    </message>
    <message>
        <source>The .mf bitmap is written in imgprep&apos;s own documented format in the same pass. The format of the cloud&apos;s CreateMF.jar is not documented, so whether fast import accepts this .mf is not known; to use CreateMF.jar instead, set it under Tools.</source>
        <translation>.mf 位图文件在转换的同时以 imgprep 自有的（已公开文档的）格式写入。云平台 CreateMF.jar 的格式没有公开文档，因此无法确定快速导入是否接受此 .mf 文件；如需改用 CreateMF.jar，请在“工具”中设置。</translation>
    </message>
    <message>
        <source>Recommended: the image needs fast import, and this one file is read by the cloud&apos;s own ZVHD2 driver.</source>
        <translation>推荐：该镜像需要使用快速导入，而这一个文件可由云平台自己的 ZVHD2 驱动读取。</translation>
    </message>
    <message>
        <source>One compressed file, read by the cloud&apos;s own ZVHD2 driver.</source>
        <translation>一个压缩文件，可由云平台自己的 ZVHD2 驱动读取。</translation>
    </message>
    <message>
        <source>Written by qemu-img-hw (%1), as set under Tools.</source>
        <translation>按“工具”中的设置，由 qemu-img-hw（%1）写入。</translation>
    </message>
    <message>
        <source>qemu-img-hw cannot read a disk inside an OVA: imgprep writes the file itself.</source>
        <translation>qemu-img-hw 无法读取 OVA 中的磁盘：由 imgprep 自行写入该文件。</translation>
    </message>
    <message>
        <source>%1: imgprep writes the file itself.</source>
        <translation>%1：由 imgprep 自行写入该文件。</translation>
    </message>
    <message>
        <source>Written by imgprep (zstd, on all cores); no other tool is needed.</source>
        <translation>由 imgprep 写入（zstd，使用全部 CPU 核心）；无需其他工具。</translation>
    </message>
    <message>
        <source>&amp;ZVHD2 (recommended for fast import)</source>
        <translation>ZVHD2（推荐用于快速导入）(&amp;Z)</translation>
    </message>
    <message>
        <source>Estimated size: about %1 (from %2 sampled blocks of %3 holding data).</source>
        <translation>估计大小：约 %1（根据 %3 个含数据的块中抽样的 %2 个块估算）。</translation>
    </message>
    <message>
        <source>the ZVHD2 file will be about %1</source>
        <translation>ZVHD2 文件约为 %1</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::DropArea</name>
    <message>
        <source>&amp;Choose image…</source>
        <translation>选择镜像(&amp;C)…</translation>
    </message>
    <message>
        <source>Drop a disk image here</source>
        <translation>将磁盘镜像拖放到此处</translation>
    </message>
    <message>
        <source>VMDK, VHD, VHDX, QCOW2, QCOW, QED, VDI, RAW/IMG, ZVHD, ZVHD2 or an OVA</source>
        <translation>VMDK、VHD、VHDX、QCOW2、QCOW、QED、VDI、RAW/IMG、ZVHD、ZVHD2 或 OVA</translation>
    </message>
    <message>
        <source>Choose an image file</source>
        <translation>选择镜像文件</translation>
    </message>
    <message>
        <source>Drop area for a disk image</source>
        <translation>磁盘镜像拖放区域</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::Format</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::InlineMessage</name>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::LogViewer</name>
    <message>
        <source>imgprep log</source>
        <translation>imgprep 日志</translation>
    </message>
    <message>
        <source>Log file: %1</source>
        <translation>日志文件：%1</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>重新加载(&amp;R)</translation>
    </message>
    <message>
        <source>Open &amp;folder</source>
        <translation>打开文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::RemediationPage</name>
    <message>
        <source>Fix the source VM</source>
        <translation>修复源虚拟机</translation>
    </message>
    <message>
        <source>A PowerShell script for the problems that must be fixed inside Windows. Run it as administrator in the source VM (add -DryRun to only see what it would change), shut the VM down and export the image again. imgprep runs nothing itself.</source>
        <translation>用于修复 Windows 内部问题的 PowerShell 脚本。请以管理员身份在源虚拟机中运行（加上 -DryRun 参数可仅查看将要进行的更改），然后关闭虚拟机并重新导出镜像。imgprep 自身不会运行任何内容。</translation>
    </message>
    <message>
        <source>Include the &amp;Sysprep step (only when the ECSs must join a domain or need unique SIDs)</source>
        <translation>包含 Sysprep 步骤（仅当 ECS 需要加入域或需要唯一 SID 时）(&amp;S)</translation>
    </message>
    <message>
        <source>Include the Sysprep step</source>
        <translation>包含 Sysprep 步骤</translation>
    </message>
    <message>
        <source>Remediation script</source>
        <translation>修复脚本</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the script to the clipboard</source>
        <translation>将脚本复制到剪贴板</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>保存(&amp;S)…</translation>
    </message>
    <message>
        <source>Save the script to a file</source>
        <translation>将脚本保存到文件</translation>
    </message>
    <message>
        <source>The script appears here when the checklist is complete.</source>
        <translation>检查清单完成后，脚本将显示在此处。</translation>
    </message>
    <message>
        <source>Waiting for the checklist…</source>
        <translation>正在等待检查清单…</translation>
    </message>
    <message>
        <source>Nothing to change inside Windows: no failed check has a step in the script.</source>
        <translation>无需在 Windows 内部进行更改：没有未通过的检查项需要脚本步骤。</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s): %1</source>
        <translation>
            <numerusform>%n 个步骤：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Save the remediation script</source>
        <translation>保存修复脚本</translation>
    </message>
    <message>
        <source>PowerShell scripts (*.ps1)</source>
        <translation>PowerShell 脚本 (*.ps1)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::Session</name>
    <message>
        <source>Internal error: %1</source>
        <translation>内部错误：%1</translation>
    </message>
    <message>
        <source>Internal error.</source>
        <translation>内部错误。</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::SettingsDialog</name>
    <message>
        <source>Conversion tools</source>
        <translation>转换工具</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Browse for %1</source>
        <translation>浏览 %1</translation>
    </message>
    <message>
        <source>&amp;qemu-img-hw:</source>
        <translation>qemu-img-hw(&amp;Q)：</translation>
    </message>
    <message>
        <source>Path of qemu-img-hw</source>
        <translation>qemu-img-hw 的路径</translation>
    </message>
    <message>
        <source>Locate qemu-img-hw</source>
        <translation>查找 qemu-img-hw</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>&amp;CreateMF.jar:</source>
        <translation>CreateMF.jar(&amp;C)：</translation>
    </message>
    <message>
        <source>Path of CreateMF.jar</source>
        <translation>CreateMF.jar 的路径</translation>
    </message>
    <message>
        <source>imgprep&apos;s own bitmap</source>
        <translation>imgprep 自有的位图格式</translation>
    </message>
    <message>
        <source>Locate CreateMF.jar</source>
        <translation>查找 CreateMF.jar</translation>
    </message>
    <message>
        <source>Java archives (*.jar)</source>
        <translation>Java 归档文件 (*.jar)</translation>
    </message>
    <message>
        <source>Both tools are optional: imgprep writes ZVHD2 files and its own documented bitmap file itself. Set qemu-img-hw (the cloud&apos;s tool, Linux x86-64) to have ZVHD2 files written by it instead, and CreateMF.jar to make the bitmap file for fast import with the cloud&apos;s tool. Leave a field empty to use imgprep&apos;s own.</source>
        <translation>这两个工具都是可选的：imgprep 可自行写入 ZVHD2 文件及其自有的（已公开文档的）位图文件。设置 qemu-img-hw（云平台的工具，Linux x86-64）后将改由它写入 ZVHD2 文件；设置 CreateMF.jar 后将用云平台的工具生成快速导入所需的位图文件。字段留空则使用 imgprep 自己的实现。</translation>
    </message>
    <message>
        <source>imgprep&apos;s own ZVHD2 writer</source>
        <translation>imgprep 自己的 ZVHD2 写入器</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::SummaryPage</name>
    <message>
        <source>Summary and report</source>
        <translation>摘要与报告</translation>
    </message>
    <message>
        <source>What to enter when you register the image, and a report to keep with it.</source>
        <translation>注册镜像时需要填写的内容，以及随镜像保存的报告。</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>Conversion outputs</source>
        <translation>转换输出</translation>
    </message>
    <message>
        <source>Open output &amp;folder</source>
        <translation>打开输出文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>Open the output folder</source>
        <translation>打开输出文件夹</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Export &amp;PDF…</source>
        <translation>导出 PDF(&amp;P)…</translation>
    </message>
    <message>
        <source>Export &amp;HTML…</source>
        <translation>导出 HTML(&amp;H)…</translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation>导出 JSON(&amp;J)…</translation>
    </message>
    <message>
        <source>Export the report as PDF</source>
        <translation>将报告导出为 PDF</translation>
    </message>
    <message>
        <source>Export the report as HTML</source>
        <translation>将报告导出为 HTML</translation>
    </message>
    <message>
        <source>Export the report as JSON</source>
        <translation>将报告导出为 JSON</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>镜像文件</translation>
    </message>
    <message>
        <source>Converted from</source>
        <translation>转换自</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Virtual size</source>
        <translation>虚拟大小</translation>
    </message>
    <message>
        <source>Windows</source>
        <translation>Windows</translation>
    </message>
    <message>
        <source>not found: %1</source>
        <translation>未找到：%1</translation>
    </message>
    <message>
        <source>not readable: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>Boot</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Register as</source>
        <translation>注册为</translation>
    </message>
    <message>
        <source>(OS not recognised)</source>
        <translation>（无法识别操作系统）</translation>
    </message>
    <message>
        <source>Boot mode to select</source>
        <translation>要选择的启动方式</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Import path</source>
        <translation>导入方式</translation>
    </message>
    <message>
        <source>System disk size</source>
        <translation>系统盘大小</translation>
    </message>
    <message>
        <source>To fix</source>
        <translation>待修复</translation>
    </message>
    <message>
        <source>To confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Checks: %1</source>
        <translation>检查项：%1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 (what was converted, with checksums)</source>
        <translation>%1（转换记录，含校验和）</translation>
    </message>
    <message>
        <source>Verified: same content as the source (SHA-256).</source>
        <translation>已校验：与源文件内容一致（SHA-256）。</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>文件夹：%1</translation>
    </message>
    <message>
        <source>No conversion made.</source>
        <translation>尚未进行转换。</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Web pages (*.html)</source>
        <translation>网页 (*.html)</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>The checklist is not complete yet.</source>
        <translation>检查清单尚未完成。</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
</context>
<context>
    <name>imgprep::ui::VerdictBanner</name>
    <message>
        <source>No image checked yet</source>
        <translation>尚未检查任何镜像</translation>
    </message>
    <message>
        <source>Choose an image on the first page.</source>
        <translation>请在第一页选择镜像。</translation>
    </message>
    <message>
        <source>Checking the image…</source>
        <translation>正在检查镜像…</translation>
    </message>
    <message>
        <source>Reading partitions, file systems and the Windows registry (%1 %).</source>
        <translation>正在读取分区、文件系统和 Windows 注册表（%1 %）。</translation>
    </message>
    <message>
        <source>Evaluating the requirements.</source>
        <translation>正在评估各项要求。</translation>
    </message>
    <message>
        <source>The image could not be checked</source>
        <translation>无法检查该镜像</translation>
    </message>
    <message>
        <source>direct import (image file up to 128 GiB)</source>
        <translation>直接导入（镜像文件不超过 128 GiB）</translation>
    </message>
    <message>
        <source>fast import (RAW or ZVHD2 file, 128 GiB to 1 TiB)</source>
        <translation>快速导入（RAW 或 ZVHD2 文件，128 GiB 至 1 TiB）</translation>
    </message>
    <message>
        <source>none — the image is larger than 1 TiB</source>
        <translation>无 — 镜像大于 1 TiB</translation>
    </message>
    <message>
        <source>unknown (the size is not known)</source>
        <translation>未知（大小未知）</translation>
    </message>
    <message>
        <source>at least %1 GB</source>
        <translation>至少 %1 GB</translation>
    </message>
    <message>
        <source>Ready for import</source>
        <translation>可以导入</translation>
    </message>
    <message numerus="yes">
        <source>Incomplete: %n check(s) could not be decided</source>
        <translation>
            <numerusform>不完整：%n 项检查无法判定</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not ready for import: %n blocking problem(s)</source>
        <translation>
            <numerusform>尚不能导入：%n 个阻止性问题</numerusform>
        </translation>
    </message>
    <message>
        <source>Import path: %1</source>
        <translation>导入方式：%1</translation>
    </message>
    <message>
        <source>system disk %1</source>
        <translation>系统盘 %1</translation>
    </message>
    <message>
        <source>Register as: %1, boot mode %2</source>
        <translation>注册为：%1，启动方式 %2</translation>
    </message>
    <message>
        <source>(OS not recognised)</source>
        <translation>（无法识别操作系统）</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) still to confirm by you.</source>
        <translation>
            <numerusform>还有 %n 项需要您确认。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>imgprep::ui::WizardWindow</name>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 上一步(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>下一步(&amp;N) &gt;</translation>
    </message>
    <message>
        <source>Back to the previous step</source>
        <translation>返回上一步</translation>
    </message>
    <message>
        <source>Go to the next step</source>
        <translation>前往下一步</translation>
    </message>
    <message>
        <source>Choose image</source>
        <translation>选择镜像</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <source>Fix the VM</source>
        <translation>修复虚拟机</translation>
    </message>
    <message>
        <source>Convert</source>
        <translation>转换</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation>第 %1 步：%2</translation>
    </message>
    <message>
        <source>%1 changed on disk: checking it again.</source>
        <translation>%1 在磁盘上已更改：正在重新检查。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open image…</source>
        <translation>打开镜像(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Re-check</source>
        <translation>重新检查(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Conversion tools…</source>
        <translation>转换工具(&amp;C)…</translation>
    </message>
    <message>
        <source>Show &amp;log</source>
        <translation>显示日志(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About imgprep</source>
        <translation>关于 imgprep(&amp;A)</translation>
    </message>
    <message>
        <source>About imgprep</source>
        <translation>关于 imgprep</translation>
    </message>
    <message>
        <source>&lt;h3&gt;imgprep %1 — Image Prep Wizard&lt;/h3&gt;&lt;p&gt;Gets a Windows VM disk image ready for import into Huawei Cloud / Open Telekom Cloud IMS: checks it offline against “Preparing an Image File”, converts it for fast import and writes a report.&lt;/p&gt;&lt;p&gt;Log file: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;imgprep %1 — 镜像准备向导&lt;/h3&gt;&lt;p&gt;为导入华为云 / Open Telekom Cloud IMS 准备 Windows 虚拟机磁盘镜像：依据《准备镜像文件》离线检查镜像，将其转换为快速导入格式，并生成报告。&lt;/p&gt;&lt;p&gt;日志文件：%2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>&amp;Clear the list</source>
        <translation>清除列表(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>完成(&amp;F)</translation>
    </message>
    <message>
        <source>imgprep — Image Prep Wizard</source>
        <translation>imgprep — 镜像准备向导</translation>
    </message>
    <message>
        <source>A conversion is running: cancel it before choosing another image.</source>
        <translation>正在进行转换：请先取消转换，再选择其他镜像。</translation>
    </message>
    <message>
        <source>Conversion done: checking the output %1.</source>
        <translation>转换完成：正在检查输出文件 %1。</translation>
    </message>
    <message>
        <source>Conversion running</source>
        <translation>正在转换</translation>
    </message>
    <message>
        <source>A conversion is running. Cancel it and quit? The partial output is removed.</source>
        <translation>正在进行转换。要取消转换并退出吗？未完成的输出将被删除。</translation>
    </message>
</context>
</TS>
