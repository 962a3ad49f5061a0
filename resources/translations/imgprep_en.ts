<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ReportText</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build of imgprep has no report module (core/report, report/), so %1 reports cannot be written; JSON can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no finished checklist to report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written without the conversion details: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusText</name>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>advised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to confirm</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::App</name>
    <message>
        <source>Gets a Windows VM disk image ready for cloud import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk image to open.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::CheckDetails</name>
    <message>
        <source>Table 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Table 2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extra</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an uppercase letter (A–Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a lowercase letter (a–z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a digit (0–9)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a special character (one of %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a check to see what was found and how to fix it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I &amp;confirm that this requirement is met</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm this requirement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test the image&apos;s initial &amp;password (it is only looked at here: never stored, never logged):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial password to test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How to fix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to fix: the requirement is met.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No steps are listed for this check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documentation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not tested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It also contains characters outside these classes (space, #, &amp;, *, non-ASCII, …); check that the cloud accepts them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result of the last test (the password itself was not kept).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::CheckModel</name>
    <message>
        <source>Table 1 — Initial configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Table 2 — Image file properties</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other requirements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extra checks from the linked guides</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n running</numerusform>
            <numerusform>%n running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warnings</source>
        <translation>
            <numerusform>%n warning</numerusform>
            <numerusform>%n warnings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n to confirm</source>
        <translation>
            <numerusform>%n to confirm</numerusform>
            <numerusform>%n to confirm</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unknown</source>
        <translation>
            <numerusform>%n unknown</numerusform>
            <numerusform>%n unknown</numerusform>
        </translation>
    </message>
    <message>
        <source>all passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ChecklistPage</name>
    <message>
        <source>Check the requirements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every requirement of “Preparing an Image File”, checked offline. Select a row for the evidence and how to fix it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspection progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Re-check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspect the image and run every check again (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-check the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details of the selected check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Converted output: %1 (from %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ChoosePage</name>
    <message>
        <source>Choose the disk image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick the exported disk of the Windows VM. It is only read, never changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path of a disk image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image file path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the image at this path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Recent images:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Virtual size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Virtual size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk of the OVA to use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disk:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk images (*.vmdk *.vhd *.vhdx *.qcow2 *.qcow *.qed *.vdi *.raw *.img *.zvhd *.zvhd2 *.ova)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OVA packages (*.ova)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a disk image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>OVA package with %n disk(s)</source>
        <translation>
            <numerusform>OVA package with %n disk</numerusform>
            <numerusform>OVA package with %n disks</numerusform>
        </translation>
    </message>
    <message>
        <source>not readable offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk %1: %2 — %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boot:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>inspecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, build %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not found (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not readable (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ConvertJob</name>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::ConvertPage</name>
    <message>
        <source>Converting to RAW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying (SHA-256 of source and output)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Converting with qemu-img-hw</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Making the bitmap with CreateMF.jar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert for import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert to RAW with a bitmap file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Space:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace &amp;existing files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace existing output files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Con&amp;vert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the conversion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the conversion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversion progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput and time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bitmap is made by CreateMF.jar (%1) after the RAW file is written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>measuring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>free space unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the conversion writes up to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not enough space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already there: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2 virtual, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image holds no readable disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No image chosen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no disk to convert.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 % done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · about %2 left · %3 of %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1 in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verified: the output has the same content as the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The checklist now runs again on the output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversion was cancelled; no output was left behind.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compressing to ZVHD2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images over 128 GiB need fast import: a ZVHD2 file, or a RAW file with its bitmap. Smaller images can be uploaded as they are, or converted too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;ZVHD2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert to ZVHD2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;RAW + bitmap file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the paths of the optional tools qemu-img-hw and CreateMF.jar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verify the output (read it back, compare its SHA-256 with the source&apos;s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>qemu-img-hw exists for Linux x86-64 only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an executable file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The .mf bitmap is written in imgprep&apos;s own documented format in the same pass. The format of the cloud&apos;s CreateMF.jar is not documented, so whether fast import accepts this .mf is not known; to use CreateMF.jar instead, set it under Tools.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended: the image needs fast import, and this one file is read by the cloud&apos;s own ZVHD2 driver.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One compressed file, read by the cloud&apos;s own ZVHD2 driver.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written by qemu-img-hw (%1), as set under Tools.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>qemu-img-hw cannot read a disk inside an OVA: imgprep writes the file itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: imgprep writes the file itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written by imgprep (zstd, on all cores); no other tool is needed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;ZVHD2 (recommended for fast import)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated size: about %1 (from %2 sampled blocks of %3 holding data).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the ZVHD2 file will be about %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::DropArea</name>
    <message>
        <source>&amp;Choose image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop a disk image here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VMDK, VHD, VHDX, QCOW2, QCOW, QED, VDI, RAW/IMG, ZVHD, ZVHD2 or an OVA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop area for a disk image</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::Format</name>
    <message>
        <source>%1 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::InlineMessage</name>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::LogViewer</name>
    <message>
        <source>imgprep log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log file: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::RemediationPage</name>
    <message>
        <source>Fix the source VM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PowerShell script for the problems that must be fixed inside Windows. Run it as administrator in the source VM (add -DryRun to only see what it would change), shut the VM down and export the image again. imgprep runs nothing itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include the &amp;Sysprep step (only when the ECSs must join a domain or need unique SIDs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include the Sysprep step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remediation script</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the script to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the script to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The script appears here when the checklist is complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the checklist…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to change inside Windows: no failed check has a step in the script.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n step(s): %1</source>
        <translation>
            <numerusform>%n step: %1</numerusform>
            <numerusform>%n steps: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the remediation script</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PowerShell scripts (*.ps1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::Session</name>
    <message>
        <source>Internal error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::SettingsDialog</name>
    <message>
        <source>Conversion tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;qemu-img-hw:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path of qemu-img-hw</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locate qemu-img-hw</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;CreateMF.jar:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path of CreateMF.jar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imgprep&apos;s own bitmap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locate CreateMF.jar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Java archives (*.jar)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both tools are optional: imgprep writes ZVHD2 files and its own documented bitmap file itself. Set qemu-img-hw (the cloud&apos;s tool, Linux x86-64) to have ZVHD2 files written by it instead, and CreateMF.jar to make the bitmap file for fast import with the cloud&apos;s tool. Leave a field empty to use imgprep&apos;s own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imgprep&apos;s own ZVHD2 writer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::SummaryPage</name>
    <message>
        <source>Summary and report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to enter when you register the image, and a report to keep with it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversion outputs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open output &amp;folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;HTML…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the report as PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the report as HTML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the report as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Converted from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Virtual size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not found: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not readable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(OS not recognised)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boot mode to select</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System disk size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To fix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checks: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (what was converted, with checksums)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verified: same content as the source (SHA-256).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No conversion made.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Web pages (*.html)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The checklist is not complete yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>imgprep::ui::VerdictBanner</name>
    <message>
        <source>No image checked yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an image on the first page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading partitions, file systems and the Windows registry (%1 %).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluating the requirements.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image could not be checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>direct import (image file up to 128 GiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fast import (RAW or ZVHD2 file, 128 GiB to 1 TiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none — the image is larger than 1 TiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown (the size is not known)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at least %1 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready for import</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Incomplete: %n check(s) could not be decided</source>
        <translation>
            <numerusform>Incomplete: %n check could not be decided</numerusform>
            <numerusform>Incomplete: %n checks could not be decided</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not ready for import: %n blocking problem(s)</source>
        <translation>
            <numerusform>Not ready for import: %n blocking problem</numerusform>
            <numerusform>Not ready for import: %n blocking problems</numerusform>
        </translation>
    </message>
    <message>
        <source>Import path: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>system disk %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register as: %1, boot mode %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(OS not recognised)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) still to confirm by you.</source>
        <translation>
            <numerusform>%n item still to confirm by you.</numerusform>
            <numerusform>%n items still to confirm by you.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>imgprep::ui::WizardWindow</name>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the previous step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to the next step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the VM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed on disk: checking it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Re-check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Conversion tools…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About imgprep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About imgprep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;imgprep %1 — Image Prep Wizard&lt;/h3&gt;&lt;p&gt;Gets a Windows VM disk image ready for import into Huawei Cloud / Open Telekom Cloud IMS: checks it offline against “Preparing an Image File”, converts it for fast import and writes a report.&lt;/p&gt;&lt;p&gt;Log file: %2&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imgprep — Image Prep Wizard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A conversion is running: cancel it before choosing another image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversion done: checking the output %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversion running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A conversion is running. Cancel it and quit? The partial output is removed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
