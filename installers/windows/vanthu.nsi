; Windows installer of Văn thư (NSIS 3, Unicode). Built by installers/build-nsis.sh with
; makensis on Linux or Windows; see installers/README.md for why this is our own script and
; not the Tauri bundler's (its NSIS path needs a plugin downloaded from GitHub at build time).
;
; Per-user: no administrator rights, installs into %LOCALAPPDATA%\Programs\vanthu (where
; Windows puts per-user programs), registers its uninstaller under HKCU. The register itself
; lives in %LOCALAPPDATA%\vanthu (vanthu_domain::paths) and is never touched by the
; uninstaller: removing the program must not remove a unit's documents.
;
; Defines passed by the build script: VERSION, VERSION4 (a.b.c.0), SRC (folder holding
; vanthu-app.exe, vanthu.exe, pdfium.dll, WebView2Loader.dll), ICON, OUTFILE.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define PRODUCT "Văn thư"
!define IDENT "vn.vanthu.desktop"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENT}"
; WebView2 Runtime client id (Microsoft's documented registry check for the Evergreen runtime).
!define WEBVIEW2_ID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\vanthu"
InstallDirRegKey HKCU "Software\vanthu" "InstallDir"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "FileDescription" "Cài đặt ${PRODUCT}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT OR Apache-2.0"

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\vanthu-app.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Mở ${PRODUCT}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; Vietnamese first: the installer's language (NSIS's own translation, Contrib/Language files).
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ; The installer speaks Vietnamese whatever the Windows display language.
  StrCpy $LANGUAGE ${LANG_VIETNAMESE}
FunctionEnd

Function un.onInit
  StrCpy $LANGUAGE ${LANG_VIETNAMESE}
FunctionEnd

; The app's window is a WebView2. Windows 11 and an up-to-date Windows 10 ship the runtime;
; otherwise fetch Microsoft's bootstrapper (1.7 MB) and run it per user, as the Tauri
; bundler's "downloadBootstrapper" mode does. No network: the app says what is missing.
Function EnsureWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  StrCmp $0 "" 0 done
  ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  StrCmp $0 "" 0 done
  DetailPrint "Tải WebView2 Runtime của Microsoft…"
  nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -Command "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; Invoke-WebRequest -UseBasicParsing -Uri https://go.microsoft.com/fwlink/p/?LinkId=2124703 -OutFile $\"$TEMP\MicrosoftEdgeWebview2Setup.exe$\""'
  Pop $1
  IfFileExists "$TEMP\MicrosoftEdgeWebview2Setup.exe" 0 nonet
  ExecWait '"$TEMP\MicrosoftEdgeWebview2Setup.exe" /silent /install' $1
  Delete "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  Goto done
nonet:
  DetailPrint "Không tải được WebView2 Runtime; cài nó rồi mở lại ${PRODUCT}."
done:
FunctionEnd

Section "${PRODUCT}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A running copy keeps its exe locked: ask the clerk to close it rather than fail half-way.
  retry:
  ClearErrors
  FileOpen $0 "$INSTDIR\vanthu-app.exe" a
  IfErrors 0 unlocked
  IfFileExists "$INSTDIR\vanthu-app.exe" 0 unlocked
  MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT} đang mở. Hãy đóng chương trình rồi bấm Thử lại." /SD IDCANCEL IDRETRY retry
  Abort
  unlocked:
  FileClose $0

  File "${SRC}/vanthu-app.exe"
  File "${SRC}/vanthu.exe"
  ; crates/pdf looks for pdfium.dll beside the executable.
  File "${SRC}/pdfium.dll"
  !if /FileExists "${SRC}/WebView2Loader.dll"
    ; Linked dynamically by the GNU toolchain build (the MSVC build links it statically).
    File "${SRC}/WebView2Loader.dll"
  !endif

  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\vanthu-app.exe"
  CreateShortCut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\vanthu-app.exe"

  WriteRegStr HKCU "Software\vanthu" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "vanthu"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\vanthu-app.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"

  Call EnsureWebView2
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\vanthu-app.exe"
  Delete "$INSTDIR\vanthu.exe"
  Delete "$INSTDIR\pdfium.dll"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\vanthu"
  ; %LOCALAPPDATA%\vanthu (the register, attachments, settings) stays: it is the unit's data.
SectionEnd
